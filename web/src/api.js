// The controller's API as the page uses it. The token comes from the URL
// fragment (#token=..., never sent to the server) or the login dialog, and
// is kept in sessionStorage (this tab only).
const KEY = 'microseg.token';

export class AuthError extends Error {}

export function takeTokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (token) {
    sessionStorage.setItem(KEY, token);
    // Drop it from the address bar and history.
    history.replaceState(null, '', location.pathname + location.search);
  }
}

export const token = () => sessionStorage.getItem(KEY);
export const setToken = (t) => sessionStorage.setItem(KEY, t);
export const clearToken = () => sessionStorage.removeItem(KEY);

async function get(path, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) query.set(k, v);
  const res = await fetch(`${path}?${query}`, {
    headers: { Authorization: `Bearer ${token()}` },
  });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) throw new AuthError(body.error || 'invalid token');
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

// filters: {group, namespace, label, verdict, since}
export const fetchMap = (filters) => get('/api/v1/map', filters);
export const fetchEdgeFlows = (filters, from, to) =>
  get('/api/v1/map/flows', { ...filters, from, to });
