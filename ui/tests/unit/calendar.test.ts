import { describe, expect, it } from 'vitest';
import { addDays, addMonths, monthWeeks, moveKey, startDay, weekdayIndex } from '../../src/lib/calendar';

describe('calendar', () => {
  it('lays a month out in weeks from Monday', () => {
    // December 2026 starts on a Tuesday and ends on a Thursday.
    const weeks = monthWeeks('2026-12-15');
    expect(weeks[0]).toEqual([null, '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06']);
    expect(weeks.at(-1)).toEqual(['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', null, null, null]);
    expect(weeks.flat().filter(Boolean)).toHaveLength(31);
  });

  it('moves over month and year ends, and keeps leap days right', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2027-01-15', -1)).toBe('2026-12-15');
  });

  it('moves by the date picker keys', () => {
    expect(moveKey('2026-12-09', 'ArrowDown')).toBe('2026-12-16');
    expect(moveKey('2026-12-09', 'ArrowUp')).toBe('2026-12-02');
    expect(moveKey('2026-12-09', 'Home')).toBe('2026-12-07');
    expect(moveKey('2026-12-09', 'End')).toBe('2026-12-13');
    expect(moveKey('2026-12-09', 'PageDown')).toBe('2027-01-09');
    expect(moveKey('2026-12-09', 'x')).toBeNull();
    expect(weekdayIndex('2026-12-06')).toBe(6);
  });

  it('opens on the date typed, else on today', () => {
    expect(startDay(' 2027-01-15 ', '2026-12-06')).toBe('2027-01-15');
    expect(startDay('15 januari', '2026-12-06')).toBe('2026-12-06');
    expect(startDay('', '2026-12-06')).toBe('2026-12-06');
  });
});
