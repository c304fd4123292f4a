import { Box, Text, useInput } from 'ink';
import { useState } from 'react';

export interface PickerItem {
  label: string;
  detail?: string;
}

/** A list to choose one from: Up/Down move, Enter picks, Esc leaves. */
export function Picker({ title, items, onPick, onCancel }: { title: string; items: PickerItem[]; onPick: (index: number) => void; onCancel: () => void }) {
  const [selected, setSelected] = useState(0);
  useInput((_input, key) => {
    if (key.escape) onCancel();
    // Functional updates: keys that come faster than renders each count.
    else if (key.upArrow) setSelected((index) => (index + items.length - 1) % Math.max(1, items.length));
    else if (key.downArrow) setSelected((index) => (index + 1) % Math.max(1, items.length));
    else if (key.return && items.length > 0) onPick(selected);
  });
  // A window of the list around the selection, so a long list fits the screen.
  const start = Math.max(0, Math.min(selected - 5, items.length - 10));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold>{title}</Text>
      {items.length === 0 && <Text dimColor>(nothing to choose from; Esc to go back)</Text>}
      {items.slice(start, start + 10).map((item, offset) => {
        const index = start + offset;
        return (
          <Text key={index} {...(index === selected ? { color: 'cyan', bold: true } : {})} wrap="truncate-end">
            {index === selected ? '› ' : '  '}
            {item.label}
            {item.detail ? <Text dimColor> {item.detail}</Text> : null}
          </Text>
        );
      })}
      <Text dimColor>↑/↓ move · Enter choose · Esc back</Text>
    </Box>
  );
}
