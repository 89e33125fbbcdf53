/** The poller's backup job requests (tasks, backup listings, snapshots): they go over its own two sockets. */
export const isBackupPath = (p: string) => /\/tasks\?|\/content\?content=backup|\/snapshot$/.test(p);
