// Who the visitor is, when they say so: a user id kept in localStorage. Named, their ratings go to the service
// (PUT/DELETE/POST /api/users/:id/ratings) and their list comes from /api/users/:id/recommendations, so every device
// and every replica sees the same person; anonymous, the ratings stay in this browser and the list comes from
// POST /predict, as before.

import { safeLocalStorage } from './ratings';

const STORAGE_KEY = 'movierec.userId.v1';

export class Identity {
  private userId: number | null;

  constructor(private readonly storage: Storage | null = safeLocalStorage()) {
    this.userId = parseUserId(readKey(this.storage) ?? '');
  }

  get(): number | null {
    return this.userId;
  }

  set(userId: number | null): void {
    this.userId = userId;
    try {
      if (userId === null) this.storage?.removeItem(STORAGE_KEY);
      else this.storage?.setItem(STORAGE_KEY, String(userId));
    } catch {
      // Storage disabled: the name holds for this visit.
    }
  }
}

/** A whole number written in digits, else null (the service checks the range and says so). */
export function parseUserId(text: string): number | null {
  return /^\s*\d{1,10}\s*$/.test(text) ? Number(text) : null;
}

function readKey(storage: Storage | null): string | null {
  try {
    return storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}
