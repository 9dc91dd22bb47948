// The reason an operating-system call failed, for messages that already name the file: config
// loading and storage both say "<file>: ... (EACCES: permission denied)".

/** "EACCES: permission denied", without the syscall and path Node appends. */
export function osReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const { code, syscall } = error as NodeJS.ErrnoException
  const cut = syscall === undefined ? -1 : error.message.indexOf(`, ${syscall}`)
  const text = cut === -1 ? error.message : error.message.slice(0, cut)
  return code !== undefined && !text.startsWith(code) ? `${code}: ${text}` : text
}
