// Tags and a note on a run or a study (annotate / listNotes): the request's schema and the answer.
import { z } from 'zod';
import { Name } from './fields';

const Tag = z.string().trim().min(1, 'a tag must not be empty').max(40, 'a tag has at most 40 characters').regex(/^[^,\s][^,]*$/, 'a tag holds no comma');

export const AnnotateRequestSchema = z
  .strictObject({
    run: Name.optional(),
    study: Name.optional(),
    /** replaces the tags (duplicates dropped) */
    tags: z.array(Tag).max(20, 'at most 20 tags').optional(),
    /** replaces the note */
    note: z.string().max(4000, 'a note has at most 4,000 characters').optional(),
  })
  .refine((a) => (a.run === undefined) !== (a.study === undefined), { message: 'name a run or a study (one of them)' });
export type AnnotateRequest = z.output<typeof AnnotateRequestSchema>;

export interface Annotation {
  tags: string[];
  note: string;
  updatedAt: string | null;
}

/** Every run's and study's tags and note, by name (those without either are left out). */
export interface NotesIndex {
  runs: Record<string, Annotation>;
  studies: Record<string, Annotation>;
}
