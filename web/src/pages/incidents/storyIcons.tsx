// Small line icons for the story graph's node types (drawn here; 24x24, stroke only), as SVG
// markup for the HTML legend and as data URIs for cytoscape's node background images.
const PATHS: Record<string, string> = {
  // a shield with an exclamation mark
  Alert: '<path d="M12 3l7 3v5c0 4.5-3 8-7 10-4-2-7-5.5-7-10V6z"/><path d="M12 8v5M12 16v.5"/>',
  // a monitor
  Machine: '<rect x="3" y="4" width="18" height="12" rx="1.5"/><path d="M9 20h6M12 16v4"/>',
  // a person
  User: '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7"/>',
  // an envelope
  Mailbox: '<rect x="3" y="5" width="18" height="14" rx="1.5"/><path d="M3 7l9 6 9-6"/>',
  // an envelope with a line (a single message)
  MailMessage: '<rect x="3" y="5" width="18" height="14" rx="1.5"/><path d="M3 7l9 6 9-6M7 16h4"/>',
  // a page with a folded corner
  File: '<path d="M6 3h8l4 4v14H6z"/><path d="M14 3v4h4"/>',
  // a terminal prompt
  Process: '<rect x="3" y="4" width="18" height="16" rx="1.5"/><path d="M7 9l3 3-3 3M12 15h5"/>',
  // a globe
  Ip: '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c2.5 2.5 3.5 5.5 3.5 9s-1 6.5-3.5 9c-2.5-2.5-3.5-5.5-3.5-9S9.5 5.5 12 3z"/>',
  // two chain links
  Url: '<path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1"/><path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"/>',
  // a cloud
  CloudApplication: '<path d="M7 18h10a4 4 0 0 0 .5-8A6 6 0 0 0 6 9.5 4.3 4.3 0 0 0 7 18z"/>',
  // a key
  RegistryKey: '<circle cx="8" cy="12" r="4"/><path d="M12 12h9M18 12v3M15 12v2"/>',
  // a key with a value bar
  RegistryValue: '<circle cx="8" cy="10" r="4"/><path d="M12 10h9M18 10v3M4 19h16"/>',
  // a dot in a ring (anything else)
  Other: '<circle cx="12" cy="12" r="8"/><circle cx="12" cy="12" r="2"/>',
};

export function iconSvg(type: string, color: string): string {
  const path = PATHS[type] ?? PATHS.Other;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" ` +
    `stroke="${color}" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${path}</svg>`
  );
}

export function iconDataUri(type: string, color: string): string {
  return `data:image/svg+xml;utf8,${encodeURIComponent(iconSvg(type, color))}`;
}

export function TypeIcon({ type, size = 16 }: { type: string; size?: number }) {
  return (
    <span
      className="type-icon"
      aria-hidden="true"
      style={{ width: size, height: size }}
      dangerouslySetInnerHTML={{ __html: iconSvg(type, 'currentColor') }}
    />
  );
}
