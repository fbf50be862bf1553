// The privacy endpoints of the Rasa server (channels/privacy.py).

const TIMEOUT_MS = 20000;

async function post(serverBase, path, sessionId) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    // text/plain keeps this a "simple" CORS request (no preflight); the server reads JSON anyway.
    return await fetch(new URL(path, serverBase).href, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ session_id: sessionId }),
      credentials: 'omit',
      cache: 'no-store',
      mode: 'cors',
      signal: controller.signal,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** `{ counts: {user, bot}, messages: [...] }` of a conversation; throws on failure. */
export async function fetchHistory(serverBase, sessionId) {
  const res = await post(serverBase, 'webhooks/privacy/history', sessionId);
  if (!res.ok) throw new Error(`history: HTTP ${res.status}`);
  const data = await res.json();
  const messages = Array.isArray(data.messages) ? data.messages : [];
  const counts = data.counts || {
    user: messages.filter((m) => m.sender === 'user').length,
    bot: messages.filter((m) => m.sender === 'bot').length,
  };
  return { counts, messages };
}

/** Erase the conversation on the server; throws unless it answered 204. */
export async function eraseConversation(serverBase, sessionId) {
  const res = await post(serverBase, 'webhooks/privacy/erase', sessionId);
  if (res.status !== 204) throw new Error(`erase: HTTP ${res.status}`);
}
