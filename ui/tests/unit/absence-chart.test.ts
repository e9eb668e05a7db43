import { describe, expect, it } from 'vitest';
import { interventionsIn, line, weekTick } from '../../src/lib/absence';
import type { ChartWeek } from '../../src/lib/bindings/ChartWeek';
import type { Intervention } from '../../src/lib/bindings/Intervention';
import type { WeekFigures } from '../../src/lib/bindings/WeekFigures';

// Fictional: a plan made in week 52 of 2026, absence imported for weeks 1
// and 2 of 2027, a follow-up in week 4.
function figures(week_start: string, week: string, total: number | null): WeekFigures {
  return {
    week_start,
    week,
    scheduled_min: 1680,
    valid_min: 0,
    invalid_min: 0,
    valid_pct: 0,
    invalid_pct: total,
    total_pct: total,
    rolling4_total_pct: total,
    source: 'fiktiv.csv',
  };
}

const axis: ChartWeek[] = [
  { week_start: '2026-12-21', week: '2026-W52', figures: null },
  { week_start: '2027-01-04', week: '2027-W01', figures: figures('2027-01-04', '2027-W01', 0) },
  { week_start: '2027-01-11', week: '2027-W02', figures: figures('2027-01-11', '2027-W02', 12.5) },
  { week_start: '2027-01-25', week: '2027-W04', figures: null },
];

function intervention(date: string, week_start: string, week: string, kind: Intervention['kind']): Intervention {
  return { date, week_start, week, kind, entry_kind: null, id: kind, signed: true, ladder_step: null };
}

describe('the absence trend chart', () => {
  it('leaves weeks without figures as gaps, never as 0 %', () => {
    expect(line(axis, (w) => w.total_pct)).toEqual([null, 0, 12.5, null]);
    expect(line(axis, (w) => w.rolling4_total_pct)).toEqual([null, 0, 12.5, null]);
    expect(line([], (w) => w.total_pct)).toEqual([]);
  });

  it('finds the interventions of each week on the axis', () => {
    const all = [
      intervention('2026-12-21', '2026-12-21', '2026-W52', 'case_opened'),
      intervention('2026-12-23', '2026-12-21', '2026-W52', 'plan_start'),
      intervention('2027-01-27', '2027-01-25', '2027-W04', 'follow_up'),
    ];
    expect(interventionsIn(all, '2026-12-21').map((m) => m.kind)).toEqual(['case_opened', 'plan_start']);
    expect(interventionsIn(all, '2027-01-04')).toEqual([]);
    expect(interventionsIn(all, '2027-01-25').map((m) => m.kind)).toEqual(['follow_up']);
  });

  it('names the year on the first tick and where week 1 follows week 52', () => {
    expect(axis.map((_, i) => weekTick(axis, i))).toEqual(['2026-W52', '2027-W01', 'W02', 'W04']);
    expect(weekTick(axis, 9)).toBe('');
  });
});
