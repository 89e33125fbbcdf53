/** The simulator's error reply, thrown by the core and the route handlers alike. */
/** An error reply: Proxmox puts the message in the status line and `message`, details in `errors`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
  ) {
    super(message);
  }
}
