// Sign-in with a console user (`vigil users create`, or the `admin` user printed on the first
// start of `vigil serve`).
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import { FormError } from '../../components/States';

export function LoginPage() {
  const { login } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username, password);
    } catch (e) {
      if (e instanceof ApiError && e.status === 429) {
        setError(`Too many failed sign-ins. Try again in ${e.retryAfter ?? 60} seconds.`);
      } else if (e instanceof ApiError && (e.status === 400 || e.status === 401)) {
        setError('The user name or password is wrong.');
      } else {
        setError((e as Error).message);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          <img src="/favicon.svg" alt="" width={28} height={28} /> Sign in to Vigil
        </h1>
        <label>
          User name
          <input
            name="username"
            autoComplete="username"
            autoFocus
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <FormError error={error} />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">
          The first start of <code>vigil serve</code> prints the <code>admin</code> password; more users with{' '}
          <code>vigil users create</code>.
        </p>
      </form>
    </div>
  );
}
