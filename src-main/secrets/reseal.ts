// Re-seals secrets stored in an older format with the current box, at start-up, in one transaction:
// after a move from the key file to the OS keychain, the database holds keychain ciphertext only.
// A secret that cannot be opened here (sealed by a keychain this machine does not have, e.g. a data
// folder copied from another computer) is left as it is and reported: the connection then asks for
// its token again instead of the app failing to start.
import type { Db } from '../db/open';
import type { Logger } from '../log';
import type { SecretBox } from './secretBox';

export interface ResealOutcome {
  resealed: number;
  unreadable: string[];
}

export function resealSecrets(db: Db, box: SecretBox, log: Logger): ResealOutcome {
  const rows = db
    .prepare<[], { id: string; token_enc: Buffer; app_secret_enc: Buffer }>(
      'SELECT id, token_enc, app_secret_enc FROM connections',
    )
    .all();
  const update = db.prepare('UPDATE connections SET token_enc = ?, app_secret_enc = ? WHERE id = ?');
  const outcome: ResealOutcome = { resealed: 0, unreadable: [] };
  db.transaction(() => {
    for (const row of rows) {
      if (box.owns(row.token_enc) && box.owns(row.app_secret_enc)) continue;
      try {
        const token = box.owns(row.token_enc) ? row.token_enc : box.seal(box.open(row.token_enc));
        const appSecret = box.owns(row.app_secret_enc)
          ? row.app_secret_enc
          : box.seal(box.open(row.app_secret_enc));
        update.run(token, appSecret, row.id);
        outcome.resealed++;
      } catch {
        outcome.unreadable.push(row.id);
      }
    }
  }).immediate();
  if (outcome.resealed > 0)
    log.info('secrets: re-sealed with the current box', { box: box.kind, count: outcome.resealed });
  if (outcome.unreadable.length > 0)
    log.warn('secrets: some connections hold secrets this machine cannot open', {
      connections: outcome.unreadable,
    });
  return outcome;
}

/** Records the clear text of every secret sealed or opened, so the logger can mask it by value. */
export function rememberingSecretBox(box: SecretBox, remember: (plain: string) => void): SecretBox {
  return {
    kind: box.kind,
    owns: (sealed) => box.owns(sealed),
    seal(plain) {
      remember(plain);
      return box.seal(plain);
    },
    open(sealed) {
      const plain = box.open(sealed);
      remember(plain);
      return plain;
    },
  };
}
