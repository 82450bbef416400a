import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { renderApp } from '../test/helpers';
import { CommentDialog, Dialog, DialogButtons } from './Dialog';
import { Pager } from './Pager';
import { TabPanel, Tabs, useTab } from './Tabs';

function Opener({ busy = false, onClose = () => undefined }: { busy?: boolean; onClose?: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      {open && (
        <Dialog
          title="Edit"
          busy={busy}
          onClose={() => {
            onClose();
            setOpen(false);
          }}
        >
          <input aria-label="Name" />
          <DialogButtons confirm="Save" onCancel={() => setOpen(false)} onConfirm={() => undefined} />
        </Dialog>
      )}
    </>
  );
}

describe('Dialog', () => {
  it('moves focus in, keeps it there, closes with Escape and gives focus back', async () => {
    const user = userEvent.setup();
    render(<Opener />);
    const opener = screen.getByRole('button', { name: 'Open' });
    await user.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'Edit' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(within(dialog).getByLabelText('Name')).toHaveFocus();
    // Tab from the last control wraps to the first
    within(dialog).getByRole('button', { name: 'Save' }).focus();
    await user.tab();
    expect(within(dialog).getByRole('button', { name: 'Close' })).toHaveFocus();
    await user.tab({ shift: true });
    expect(within(dialog).getByRole('button', { name: 'Save' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(opener).toHaveFocus();
  });

  it('stays open while busy', async () => {
    const onClose = vi.fn();
    render(<Opener busy onClose={onClose} />);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('confirms with the comment, which may be required', async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    render(<CommentDialog title="Reject 2 actions" confirm="Reject" requireComment onConfirm={onConfirm} onClose={() => undefined} />);
    const dialog = screen.getByRole('dialog', { name: 'Reject 2 actions' });
    await user.click(within(dialog).getByRole('button', { name: 'Reject' }));
    expect(onConfirm).not.toHaveBeenCalled();
    await user.type(within(dialog).getByLabelText(/Comment/), ' not needed ');
    await user.click(within(dialog).getByRole('button', { name: 'Reject' }));
    expect(onConfirm).toHaveBeenCalledWith('not needed');
  });
});

function TabsInUrl() {
  const [tab, setTab] = useTab(['one', 'two', 'three'] as const, 'one');
  return (
    <>
      <Tabs
        tabs={[
          { id: 'one', label: 'One' },
          { id: 'two', label: 'Two' },
          { id: 'three', label: 'Three' },
        ]}
        active={tab}
        onChange={setTab}
        label="Views"
        idPrefix="t"
      />
      <TabPanel idPrefix="t" active={tab}>
        panel {tab}
      </TabPanel>
    </>
  );
}

describe('Tabs', () => {
  it('moves with the arrow keys, Home and End, and keeps the tab in ?tab=', async () => {
    const user = userEvent.setup();
    renderApp(<TabsInUrl />, { path: '/x?tab=two', pattern: '/x', showLocation: true, signedIn: false });
    const two = screen.getByRole('tab', { name: 'Two' });
    expect(two).toHaveAttribute('aria-selected', 'true');
    expect(two).toHaveAttribute('tabindex', '0');
    expect(screen.getByRole('tab', { name: 'One' })).toHaveAttribute('tabindex', '-1');
    expect(screen.getByRole('tabpanel', { name: 'Two' })).toHaveTextContent('panel two');
    two.focus();
    await user.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Three' })).toHaveFocus();
    expect(screen.getByTestId('location')).toHaveTextContent('/x?tab=three');
    await user.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'One' })).toHaveFocus();
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/x$/);
    await user.keyboard('{End}');
    expect(screen.getByRole('tab', { name: 'Three' })).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{Home}');
    expect(screen.getByRole('tab', { name: 'One' })).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{ArrowLeft}');
    expect(screen.getByRole('tab', { name: 'Three' })).toHaveFocus();
  });
});

describe('Pager', () => {
  it('shows the range, pages and changes the page size', async () => {
    const user = userEvent.setup();
    const onPage = vi.fn();
    const onPageSize = vi.fn();
    const { rerender } = render(
      <Pager page={1} pageSize={50} shown={50} total={1234} hasNext onPage={onPage} sizes={[25, 50]} onPageSize={onPageSize} />,
    );
    expect(screen.getByText('51–100 of 1,234')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Previous' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(onPage.mock.calls).toEqual([[0], [2]]);
    await user.selectOptions(screen.getByLabelText('Per page'), '25');
    expect(onPageSize).toHaveBeenCalledWith(25);
    rerender(<Pager page={0} pageSize={50} shown={0} hasNext={false} onPage={onPage} emptyText="No rows" />);
    expect(screen.getByText('No rows')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Previous' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
    expect(screen.queryByLabelText('Per page')).toBeNull();
  });
});
