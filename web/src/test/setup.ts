// Vitest setup: DOM cleanup between tests and a clean sessionStorage.
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';
import '@testing-library/jest-dom/vitest';

afterEach(() => {
  cleanup();
  sessionStorage.clear();
});
