import { arch as hostArch, endianness } from 'node:os';

/**
 * A seccomp filter for sandboxed commands, as the classic BPF program bubblewrap loads
 * with `--seccomp FD`. It refuses what would let a command undo the sandbox from inside
 * (mounting, namespaces, ptrace, the kernel keyring) and, with the network off, every
 * socket but a Unix one. Everything else is allowed: the filesystem view and the namespaces
 * do the confining, this only closes the doors out of them.
 */

/** The architectures we know the system call numbers of (kernel AUDIT_ARCH_* values). */
export const SECCOMP_ARCHES = {
  x64: { audit: 0xc000003e, x32Bit: 0x40000000 },
  arm64: { audit: 0xc00000b7, x32Bit: null },
} as const;
export type SeccompArch = keyof typeof SECCOMP_ARCHES;

type Syscall =
  | 'mount'
  | 'umount2'
  | 'pivot_root'
  | 'open_tree'
  | 'move_mount'
  | 'fsopen'
  | 'fsconfig'
  | 'fsmount'
  | 'fspick'
  | 'mount_setattr'
  | 'ptrace'
  | 'process_vm_readv'
  | 'process_vm_writev'
  | 'keyctl'
  | 'add_key'
  | 'request_key'
  | 'unshare'
  | 'setns'
  | 'clone'
  | 'clone3'
  | 'io_uring_setup'
  | 'io_uring_enter'
  | 'io_uring_register'
  | 'socket';

// arm64 uses the kernel's generic table; the newer calls share numbers on both.
const NUMBERS: Record<SeccompArch, Record<Syscall, number>> = {
  x64: {
    mount: 165,
    umount2: 166,
    pivot_root: 155,
    open_tree: 428,
    move_mount: 429,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    mount_setattr: 442,
    ptrace: 101,
    process_vm_readv: 310,
    process_vm_writev: 311,
    keyctl: 250,
    add_key: 248,
    request_key: 249,
    unshare: 272,
    setns: 308,
    clone: 56,
    clone3: 435,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    socket: 41,
  },
  arm64: {
    mount: 40,
    umount2: 39,
    pivot_root: 41,
    open_tree: 428,
    move_mount: 429,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    mount_setattr: 442,
    ptrace: 117,
    process_vm_readv: 270,
    process_vm_writev: 271,
    keyctl: 219,
    add_key: 217,
    request_key: 218,
    unshare: 97,
    setns: 268,
    clone: 220,
    clone3: 435,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    socket: 198,
  },
};

/** Refused outright: mounts (the read-only binds are mounts), tracing, keyrings, new namespaces, and io_uring (its requests bypass seccomp, sockets included). */
const DENIED: Syscall[] = [
  'mount',
  'umount2',
  'pivot_root',
  'open_tree',
  'move_mount',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
  'mount_setattr',
  'ptrace',
  'process_vm_readv',
  'process_vm_writev',
  'keyctl',
  'add_key',
  'request_key',
  'unshare',
  'setns',
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
];

/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET: a plain fork or thread passes, a new namespace does not. */
export const CLONE_NAMESPACE_FLAGS = 0x7e020000;
export const AF_UNIX = 1;
const EPERM = 1;
const ENOSYS = 38;

const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;
const RET_KILL_PROCESS = 0x80000000;

// Offsets into struct seccomp_data.
const NR = 0;
const ARCH = 4;
/** The low 32 bits of args[0] (both architectures are little-endian here). */
const ARG0_LOW = 16;

// Classic BPF opcodes.
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;

/** One instruction; a jump names where it goes by label, resolved to offsets when the program is laid out. */
type Op =
  | { op: 'load'; offset: number }
  | { op: 'jump'; code: number; k: number; ifTrue: string | null; ifFalse: string | null }
  | { op: 'ret'; value: number }
  | { op: 'label'; name: string };

export interface SeccompOptions {
  arch: SeccompArch;
  /** Whether commands may open network sockets; without it only AF_UNIX sockets are allowed. */
  network: boolean;
}

/** The architecture of this machine, or null when we have no system call table for it (then no filter is loaded). */
export function seccompArch(arch: string = hostArch()): SeccompArch | null {
  return arch === 'x64' || arch === 'arm64' ? arch : null;
}

/** The filter's instructions, jumps still by label. */
function filterOps({ arch, network }: SeccompOptions): Op[] {
  const nr = NUMBERS[arch];
  const { audit, x32Bit } = SECCOMP_ARCHES[arch];
  const ops: Op[] = [
    // A call made through another ABI (32-bit compat, x32) would be judged against the wrong numbers: end the process.
    { op: 'load', offset: ARCH },
    { op: 'jump', code: JEQ_K, k: audit, ifTrue: null, ifFalse: 'kill' },
    { op: 'load', offset: NR },
  ];
  if (x32Bit !== null) ops.push({ op: 'jump', code: JGE_K, k: x32Bit, ifTrue: 'kill', ifFalse: null });
  for (const call of DENIED) ops.push({ op: 'jump', code: JEQ_K, k: nr[call], ifTrue: 'deny', ifFalse: null });
  // clone3 hides its flags in memory a filter cannot read: report it missing so libc falls back to clone.
  ops.push({ op: 'jump', code: JEQ_K, k: nr.clone3, ifTrue: 'nosys', ifFalse: null });
  ops.push({ op: 'jump', code: JEQ_K, k: nr.clone, ifTrue: 'clone', ifFalse: null });
  if (!network) ops.push({ op: 'jump', code: JEQ_K, k: nr.socket, ifTrue: 'socket', ifFalse: null });
  ops.push({ op: 'ret', value: RET_ALLOW });
  ops.push({ op: 'label', name: 'clone' }, { op: 'load', offset: ARG0_LOW });
  ops.push({ op: 'jump', code: JSET_K, k: CLONE_NAMESPACE_FLAGS, ifTrue: 'deny', ifFalse: null }, { op: 'ret', value: RET_ALLOW });
  if (!network) {
    ops.push({ op: 'label', name: 'socket' }, { op: 'load', offset: ARG0_LOW });
    ops.push({ op: 'jump', code: JEQ_K, k: AF_UNIX, ifTrue: null, ifFalse: 'deny' }, { op: 'ret', value: RET_ALLOW });
  }
  ops.push({ op: 'label', name: 'deny' }, { op: 'ret', value: RET_ERRNO | EPERM });
  ops.push({ op: 'label', name: 'nosys' }, { op: 'ret', value: RET_ERRNO | ENOSYS });
  ops.push({ op: 'label', name: 'kill' }, { op: 'ret', value: RET_KILL_PROCESS });
  return ops;
}

/** One `struct sock_filter` as the kernel reads it: u16 code, u8 jt, u8 jf, u32 k. */
export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** The filter as instructions with jump offsets resolved (a jump's offset counts the instructions it skips). */
export function seccompProgram(options: SeccompOptions): BpfInstruction[] {
  const ops = filterOps(options);
  const at = new Map<string, number>();
  let index = 0;
  for (const op of ops) {
    if (op.op === 'label') at.set(op.name, index);
    else index += 1;
  }
  const program: BpfInstruction[] = [];
  const offset = (label: string | null, from: number) => {
    if (label === null) return 0;
    const distance = at.get(label)! - from - 1;
    if (distance < 0 || distance > 255) throw new Error(`seccomp filter: jump to ${label} out of range (${distance})`);
    return distance;
  };
  for (const op of ops) {
    const here = program.length;
    if (op.op === 'load') program.push({ code: LD_W_ABS, jt: 0, jf: 0, k: op.offset });
    else if (op.op === 'jump') program.push({ code: op.code, jt: offset(op.ifTrue, here), jf: offset(op.ifFalse, here), k: op.k });
    else if (op.op === 'ret') program.push({ code: RET_K, jt: 0, jf: 0, k: op.value });
  }
  return program;
}

/** The program in the byte layout bubblewrap hands to the kernel (native byte order). */
export function seccompBytes(options: SeccompOptions): Buffer {
  const program = seccompProgram(options);
  const bytes = Buffer.alloc(program.length * 8);
  const little = endianness() === 'LE';
  program.forEach(({ code, jt, jf, k }, i) => {
    const at = i * 8;
    if (little) {
      bytes.writeUInt16LE(code, at);
      bytes.writeUInt32LE(k >>> 0, at + 4);
    } else {
      bytes.writeUInt16BE(code, at);
      bytes.writeUInt32BE(k >>> 0, at + 4);
    }
    bytes.writeUInt8(jt, at + 2);
    bytes.writeUInt8(jf, at + 3);
  });
  return bytes;
}

/** Syscall numbers by name, for tests that check the filter's decisions. */
export const seccompSyscallNumbers = (arch: SeccompArch): Readonly<Record<Syscall, number>> => NUMBERS[arch];
