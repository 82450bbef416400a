// Vitest setup: DOM cleanup between tests and a clean sessionStorage.
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

afterEach(() => {
  cleanup();
  sessionStorage.clear();
});
