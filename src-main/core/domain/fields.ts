// Field rules several requests share, declared once.
import { z } from 'zod';

/** Longest name a dataset, split or run may be given. */
export const NAME_MAX = 200;

/** A reference to something that exists (a dataset, split or run by name). */
export const Name = z.string().trim().min(1, 'must not be empty');

/** A name for something new. */
export const NewName = Name.max(NAME_MAX, `must be at most ${NAME_MAX} characters`);

/**
 * The most classes a dataset may have. The largest long-tailed benchmarks have about 10,000
 * (iNaturalist 2021); one stray label of 3,000,000 must not create 3,000,001 classes.
 */
export const MAX_CLASSES = 100_000;
