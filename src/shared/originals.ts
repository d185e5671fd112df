/** What happens to an upload in `incoming/` once it has been ingested (de-identified and recorded). */
export enum OriginalHandling {
  /**
   * Delete it: only the de-identified copy stays. In the versioned upload bucket
   * the delete adds a marker and the original stays recoverable as a noncurrent
   * version until the noncurrent-version expiry removes it.
   */
  DELETE = 'DELETE',
  /** Move it under the archive prefix, named by a keyed hash (no upload file name), kept until its lifecycle expiry. */
  ARCHIVE = 'ARCHIVE',
  /** Leave it in place (the uploader or a lifecycle rule of your own removes it). */
  KEEP = 'KEEP',
}
