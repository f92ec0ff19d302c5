// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createApi, type EventChannel, type InvokeChannel, type NewDreamFlowApi } from '../../shared/ipc';
import { App } from './App';

/** A transport answering from a table, with a way to emit events — enough for the shell. */
function apiWith(answers: Partial<Record<InvokeChannel, unknown>>) {
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  const api = createApi({
    invoke: (channel) => Promise.resolve(answers[channel]),
    subscribe: (channel, listener) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  });
  const emit = (channel: EventChannel, payload: unknown) =>
    listeners.get(channel)?.forEach((l) => l(payload));
  return { api, emit };
}

function install(api: NewDreamFlowApi | undefined) {
  Object.defineProperty(window, 'newdreamflow', { value: api, configurable: true });
}

afterEach(() => {
  cleanup();
  install(undefined);
  delete document.documentElement.dataset['theme'];
});

describe('App shell', () => {
  it('says plainly when the desktop bridge is missing', () => {
    install(undefined);
    render(<App />);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('NewDreamFlow');
    expect(screen.getByRole('status').textContent).toContain('desktop bridge is not available');
  });

  it('shows the app info and follows the OS theme', async () => {
    const { api, emit } = apiWith({
      'app:getInfo': {
        ok: true,
        value: { name: 'NewDreamFlow', version: '9.9.9', platform: 'linux', theme: 'dark' },
      },
      'auth:getSession': {
        ok: true,
        value: { status: 'signed-out', reason: 'initial', keychainAvailable: true },
      },
    });
    install(api);
    render(<App />);
    expect(await screen.findByText('NewDreamFlow 9.9.9 on linux')).toBeTruthy();
    expect(document.documentElement.dataset['theme']).toBe('dark');
    act(() => emit('app:themeChanged', 'light'));
    expect(document.documentElement.dataset['theme']).toBe('light');
  });

  it('shows the error main answered with', async () => {
    const { api } = apiWith({
      'app:getInfo': { ok: false, error: { code: 'internal', message: 'main is unwell' } },
    });
    install(api);
    render(<App />);
    expect(await screen.findByText('main is unwell')).toBeTruthy();
  });
});

describe('session', () => {
  const info = {
    ok: true,
    value: { name: 'NewDreamFlow', version: '1.0.0', platform: 'linux', theme: 'light' },
  };

  it('offers sign-in when signed out, and follows session changes pushed by main', async () => {
    const { api, emit } = apiWith({
      'app:getInfo': info,
      'auth:getSession': {
        ok: true,
        value: { status: 'signed-out', reason: 'initial', keychainAvailable: true },
      },
      'search:getKey': { ok: false, error: { code: 'unavailable', message: 'key service down' } },
    });
    install(api);
    render(<App />);
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    act(() =>
      emit('session:changed', {
        status: 'signed-in',
        user: { id: 'u1', name: 'Ada' },
        persistence: 'keychain',
        keychainAvailable: true,
      }),
    );
    expect(await screen.findByText('Ada')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
    // The search key could not be had: say so instead of showing an empty journal.
    expect(await screen.findByText('key service down')).toBeTruthy();
  });

  it('warns when no keychain is available', async () => {
    const { api } = apiWith({
      'app:getInfo': info,
      'auth:getSession': {
        ok: true,
        value: {
          status: 'signed-in',
          user: { id: 'u1', name: 'Ada' },
          persistence: 'session-only',
          keychainAvailable: false,
        },
      },
      'search:getKey': { ok: false, error: { code: 'offline', message: 'offline' } },
    });
    install(api);
    render(<App />);
    expect((await screen.findByRole('alert')).textContent).toContain('No system keychain is available');
  });
});
