/**
 * A frame as a log line shows it: at most 512 characters, and without the values of a frame that
 * sets or reports the station's Basic-auth password (SetVariables/GetVariables of
 * SecurityCtrlr.BasicAuthPassword, use case A01): secrets never reach a log.
 */
export function forLog(text: string): string {
  const shown = /BasicAuthPassword/i.test(text) ? text.replace(/("attributeValue"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"[redacted]"') : text;
  return shown.length > 512 ? shown.slice(0, 512) + '…' : shown;
}
