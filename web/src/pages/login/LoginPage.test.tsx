import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionProvider, useSession } from '../../auth/session';
import { LoginPage } from './LoginPage';

function Who() {
  const { user } = useSession();
  return <p>{user ? `signed in as ${user.name} (${user.role})` : 'signed out'}</p>;
}

function renderLogin() {
  return render(
    <SessionProvider>
      <LoginPage />
      <Who />
    </SessionProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('LoginPage', () => {
  it('signs in with the console login and keeps the token for the session', async () => {
    const fetchMock = vi.fn().mockResolvedValue(
      new Response(JSON.stringify({ access_token: 'tok', user: { name: 'alice', role: 'analyst' } }), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
    renderLogin();
    await userEvent.type(screen.getByLabelText('User name'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('signed in as alice (analyst)')).toBeInTheDocument();
    const [path, init] = fetchMock.mock.calls[0];
    expect(path).toBe('/api/auth/login');
    expect(JSON.parse(init.body)).toEqual({ username: 'alice', password: 'correct horse battery' });
    expect(sessionStorage.getItem('vigil.token')).toBe('tok');
  });

  it('says when the password is wrong and when sign-in is throttled', async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400 }))
      .mockResolvedValueOnce(
        new Response(JSON.stringify({ error: 'temporarily_unavailable' }), {
          status: 429,
          headers: { 'Retry-After': '42' },
        }),
      );
    vi.stubGlobal('fetch', fetchMock);
    renderLogin();
    await userEvent.type(screen.getByLabelText('User name'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong-password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The user name or password is wrong.');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Try again in 42 seconds');
    expect(screen.getByText('signed out')).toBeInTheDocument();
  });
});
