/** An error about a driving source (an expression file, a driving dataset, drive options); its one-line message names the file and the problem. */
export class DriveError extends Error {
  override readonly name = "DriveError";
}
