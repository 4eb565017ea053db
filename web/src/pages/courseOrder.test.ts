import { describe, expect, it } from 'vitest';
import { moveLesson, moveModule, orderOf, placeLesson } from './courseOrder';

const order = {
  modules: [
    { id: 1, lessons: [11, 12] },
    { id: 2, lessons: [21] },
  ],
};

describe('course order', () => {
  it('reads modules and lessons by position', () => {
    const lesson = (id: number, position: number) => ({
      id,
      module_id: 0,
      title: '',
      kind: 'text' as const,
      body: null,
      body_html: null,
      video_url: null,
      file: null,
      session_id: null,
      session_ids: [],
      duration_minutes: null,
      position,
    });
    expect(
      orderOf({
        modules: [
          { id: 2, title: 'B', position: 2, lessons: [lesson(21, 1)] },
          { id: 1, title: 'A', position: 1, lessons: [lesson(12, 2), lesson(11, 1)] },
        ],
      }),
    ).toEqual(order);
  });

  it('moves modules up and down, not past the ends', () => {
    expect(moveModule(order, 2, -1)?.modules.map((m) => m.id)).toEqual([2, 1]);
    expect(moveModule(order, 1, -1)).toBeNull();
    expect(moveModule(order, 2, 1)).toBeNull();
  });

  it('moves lessons within a module and across to the next or previous one', () => {
    expect(moveLesson(order, 12, -1)?.modules[0].lessons).toEqual([12, 11]);
    expect(moveLesson(order, 12, 1)?.modules).toEqual([
      { id: 1, lessons: [11] },
      { id: 2, lessons: [12, 21] },
    ]);
    expect(moveLesson(order, 21, -1)?.modules).toEqual([
      { id: 1, lessons: [11, 12, 21] },
      { id: 2, lessons: [] },
    ]);
    expect(moveLesson(order, 11, -1)).toBeNull();
    expect(moveLesson(order, 21, 1)).toBeNull();
    // The original is left as it was.
    expect(order.modules[0].lessons).toEqual([11, 12]);
  });

  it('places a dragged lesson before another one or at the end of a module', () => {
    expect(placeLesson(order, 21, 1, 11)?.modules).toEqual([
      { id: 1, lessons: [21, 11, 12] },
      { id: 2, lessons: [] },
    ]);
    expect(placeLesson(order, 11, 2, null)?.modules).toEqual([
      { id: 1, lessons: [12] },
      { id: 2, lessons: [21, 11] },
    ]);
    expect(placeLesson(order, 12, 1, 11)?.modules[0].lessons).toEqual([12, 11]);
    // Dropped where it already is, on itself, or somewhere unknown: nothing to send.
    expect(placeLesson(order, 12, 1, null)).toBeNull();
    expect(placeLesson(order, 11, 1, 11)).toBeNull();
    expect(placeLesson(order, 99, 1, null)).toBeNull();
    expect(placeLesson(order, 11, 9, null)).toBeNull();
  });
});
