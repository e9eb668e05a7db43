import { describe, expect, it } from 'vitest';
import { frame, labelledWeeks, marker, path, scale } from '../../src/lib/trendChart';

const box = frame(656, 5);

describe('the trend chart geometry', () => {
  it('spans the drawing area from the first week to the last, 0 % at the bottom', () => {
    const s = scale(11, 28, box);
    expect(s.x(0)).toBe(box.left);
    expect(s.x(10)).toBe(box.width - box.right);
    expect(s.y(0)).toBe(box.height - box.bottom);
    expect(s.y(s.max)).toBe(box.top);
    expect(s.y(s.max / 2)).toBeCloseTo((box.top + box.height - box.bottom) / 2);
  });

  it('ends the axis on a whole tick above the highest value', () => {
    expect(scale(4, 28, box)).toMatchObject({ max: 30, ticks: [0, 5, 10, 15, 20, 25, 30] });
    expect(scale(4, 25, box).max).toBe(25);
    expect(scale(4, 47, box)).toMatchObject({ max: 50, ticks: [0, 10, 20, 30, 40, 50] });
    expect(scale(4, 130, box).max).toBe(100);
    expect(scale(4, 0, box).max).toBe(5);
  });

  it('keeps values off the axis inside it', () => {
    const s = scale(4, 28, box);
    expect(s.y(-3)).toBe(s.y(0));
    expect(s.y(400)).toBe(s.y(s.max));
  });

  it('puts a single week in the middle', () => {
    const s = scale(1, 10, box);
    expect(s.x(0)).toBe(box.left + (box.width - box.left - box.right) / 2);
  });

  it('breaks a line at a week without figures instead of drawing 0 %', () => {
    const s = scale(6, 20, box);
    const d = path([10, 12, null, 8, 9, null], s);
    expect(d.match(/M/gu)).toHaveLength(2);
    expect(d.match(/L/gu)).toHaveLength(2);
    expect(d).not.toContain(`${s.y(0)}`);
    expect(path([null, null], s)).toBe('');
  });

  it('still shows a week with figures between two gaps', () => {
    const s = scale(3, 20, box);
    expect(path([null, 7, null], s)).toMatch(/^M[\d.]+ [\d.]+ h0\.1$/u);
  });

  it('labels as many weeks as fit, the first and the last among them', () => {
    expect(labelledWeeks(0, 600)).toEqual([]);
    expect(labelledWeeks(5, 600)).toEqual([0, 1, 2, 3, 4]);
    const many = labelledWeeks(40, 600);
    expect(many.length).toBeLessThanOrEqual(10);
    expect(many[0]).toBe(0);
    expect(many[many.length - 1]).toBe(39);
    const gaps = many.slice(1).map((w, i) => w - (many[i] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2);
  });

  it('draws each marker shape closed and centred on its point', () => {
    for (const shape of ['diamond', 'square', 'triangle', 'star', 'circle'] as const) {
      const d = marker(shape, 100, 50, 5);
      expect(d.endsWith('Z')).toBe(true);
      const xs = [...d.matchAll(/[ML]([\d.]+) ([\d.]+)/gu)].map((m) => Number(m[1]));
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(94);
      expect(Math.max(...xs)).toBeLessThanOrEqual(106);
    }
  });
});
