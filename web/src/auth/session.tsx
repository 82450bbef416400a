// The signed-in user: token in sessionStorage (gone when the tab closes), user from
// GET /api/auth/me. Login posts to /api/auth/login; a 401 anywhere signs out.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, getToken, onUnauthorized, setToken } from '../api/client';
import type { User } from '../api/types';

interface Session {
  user: User | null;
  checking: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => void;
  can: (role: 'viewer' | 'analyst' | 'responder' | 'admin') => boolean;
}

const SessionContext = createContext<Session | null>(null);
const ORDER = ['viewer', 'analyst', 'responder', 'admin'];

interface LoginAnswer {
  access_token: string;
  user: User;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [checking, setChecking] = useState<boolean>(getToken() !== null);

  useEffect(() => {
    onUnauthorized(() => setUser(null));
    if (getToken()) {
      api
        .get<{ name: string; role: string }>('/api/auth/me')
        .then((me) => setUser({ name: me.name, role: me.role }))
        .catch(() => setToken(null))
        .finally(() => setChecking(false));
    }
    return () => onUnauthorized(null);
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const answer = await api.post<LoginAnswer>('/api/auth/login', { username, password });
    setToken(answer.access_token);
    setUser(answer.user);
  }, []);

  const logout = useCallback(() => {
    setToken(null);
    setUser(null);
  }, []);

  const can = useCallback(
    (role: string) => user !== null && ORDER.indexOf(user.role) >= ORDER.indexOf(role),
    [user],
  );

  const value = useMemo(() => ({ user, checking, login, logout, can }), [user, checking, login, logout, can]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
