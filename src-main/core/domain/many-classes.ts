// Runs and splits with many classes (ImageNet-LT's 1,000, iNaturalist 2018's 8,142): where the
// screens switch from a bar per class and a full confusion matrix to sorted curves, searchable
// tables and a list of the largest confusions, and what the store answers with instead of a
// C x C matrix. One place for the limits, read by the store and the renderer alike.

/**
 * Up to this many classes a run's confusion matrix is answered and drawn in full and a histogram
 * has one bar per class; above it the run page and Compare show a per-class table and the largest
 * confusions, and the split builder a sorted curve.
 */
export const CLASS_MATRIX_MAX = 100;

/** How many of a many-class run's largest confusions (off-diagonal cells) getRun answers with. */
export const TOP_CONFUSIONS = 100;

/** One non-zero cell of a confusion matrix: true class, predicted class, test images. */
export type ConfusionCell = [actual: number, predicted: number, count: number];

/** An off-diagonal cell as the largest-confusions list shows it. */
export interface TopConfusion {
  actual: number;
  predicted: number;
  /** test images of `actual` predicted as `predicted` */
  count: number;
  /** count / test images of `actual` (the row share a confusion matrix shades by) */
  share: number;
}
