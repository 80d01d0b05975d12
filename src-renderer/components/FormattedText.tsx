// Renders WhatsApp-formatted text as React elements (never HTML): see lib/whatsappFormat.ts.
// `renderPlain` lets a caller swap pieces of the plain text for elements (template variables).
import { Fragment, type ReactNode } from 'react';
import { parseWhatsAppFormatting, type FormatNode } from '../lib/whatsappFormat';

function renderNodes(nodes: FormatNode[], renderPlain: (text: string) => ReactNode): ReactNode[] {
  return nodes.map((node, i) => {
    if (typeof node === 'string') return <Fragment key={i}>{renderPlain(node)}</Fragment>;
    const children = renderNodes(node.children, renderPlain);
    switch (node.kind) {
      case 'bold':
        return <strong key={i}>{children}</strong>;
      case 'italic':
        return <em key={i}>{children}</em>;
      case 'strike':
        return <s key={i}>{children}</s>;
      case 'mono':
        return <code key={i}>{children}</code>;
    }
  });
}

const asIs = (text: string): ReactNode => text;

export function FormattedText(props: { text: string; renderPlain?: (text: string) => ReactNode }) {
  return <>{renderNodes(parseWhatsAppFormatting(props.text), props.renderPlain ?? asIs)}</>;
}
