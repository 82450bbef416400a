import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionProvider, useSession } from '../../auth/session';
import { fakeFetch } from '../../test/helpers';
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
    const { calls } = fakeFetch(() => ({ body: { access_token: 'tok', user: { name: 'alice', role: 'analyst' } } }));
    renderLogin();
    await userEvent.type(screen.getByLabelText('User name'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('signed in as alice (analyst)')).toBeInTheDocument();
    expect(calls[0].path).toBe('/api/auth/login');
    expect(calls[0].body).toEqual({ username: 'alice', password: 'correct horse battery' });
    expect(sessionStorage.getItem('vigil.token')).toBe('tok');
  });

  it('says when the password is wrong and when sign-in is throttled', async () => {
    const answers = [
      { status: 400, body: { error: 'invalid_grant' } },
      { status: 429, body: { error: 'temporarily_unavailable' }, headers: { 'Retry-After': '42' } },
    ];
    fakeFetch(() => answers.shift()!);
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
