import type { DeadLetter, DeadLetterSink } from '../dead-letter';
import { jsonLogger, Logger } from '../log';

/**
 * The zero-setup sink: one structured ERROR entry carrying the whole task (`deadLetter`), which Cloud Logging
 * keeps for its retention period and the "dead letters" alert counts. Replay reads it from there by hand.
 */
export class LogDeadLetterSink implements DeadLetterSink {
  constructor(private readonly log: Logger = jsonLogger) {}

  async write(letter: DeadLetter): Promise<void> {
    this.log({
      severity: 'ERROR',
      message: `dead letter: task ${letter.task} of queue ${letter.queue} after ${letter.attempts} attempt(s): ${letter.error.message}`,
      event: 'dead-letter',
      deadLetter: letter,
    });
  }
}
