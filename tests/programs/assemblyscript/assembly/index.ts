// AssemblyScript guest for mmadapt's end-to-end tests. Built with
// @assemblyscript/wasi-shim (args and env come from `process`, console.log
// writes to fd 1). Files go through raw preview1 imports declared below.
//
// argv: asprog [exit-code]   (exit code defaults to 7)
// env:  every variable is printed (sorted by name).
// It writes `as-out.txt` into the first preopened directory, reads it back,
// prints it, and exits with the code.

@external("wasi_snapshot_preview1", "fd_prestat_get")
declare function fd_prestat_get(fd: u32, out: usize): u16;
@external("wasi_snapshot_preview1", "fd_prestat_dir_name")
declare function fd_prestat_dir_name(fd: u32, path: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "path_open")
declare function path_open(
  fd: u32, dirflags: u32, path: usize, path_len: usize, oflags: u16,
  base: u64, inheriting: u64, fdflags: u16, fd_out: usize): u16;
@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, iovs_len: usize, nwritten: usize): u16;
@external("wasi_snapshot_preview1", "fd_read")
declare function fd_read(fd: u32, iovs: usize, iovs_len: usize, nread: usize): u16;
@external("wasi_snapshot_preview1", "fd_close")
declare function fd_close(fd: u32): u16;

const OFLAGS_CREAT: u16 = 1;
const OFLAGS_TRUNC: u16 = 8;
const RIGHTS_FD_READ: u64 = 2;
const RIGHTS_FD_WRITE: u64 = 64;

// 8-aligned scratch area for out-parameters and iovecs.
const scratch = memory.data(64, 8);

function findPreopen(): i32 {
  for (let fd: u32 = 3; fd < 64; fd++) {
    if (fd_prestat_get(fd, scratch) == 0 && load<u8>(scratch) == 0) {
      return <i32>fd;
    }
  }
  return -1;
}

function preopenName(fd: u32): string {
  fd_prestat_get(fd, scratch);
  let len = load<u32>(scratch, 4);
  let buf = new ArrayBuffer(<i32>len);
  let err = fd_prestat_dir_name(fd, changetype<usize>(buf), len);
  if (err != 0) return "<errno " + err.toString() + ">";
  return String.UTF8.decode(buf);
}

function openAt(dir: u32, path: string, oflags: u16, rights: u64): i32 {
  let p = String.UTF8.encode(path);
  let err = path_open(dir, 0, changetype<usize>(p), <usize>p.byteLength, oflags,
    rights, rights, 0, scratch);
  if (err != 0) {
    console.log("path_open " + path + ": errno " + err.toString());
    return -1;
  }
  return <i32>load<u32>(scratch);
}

function writeAll(fd: u32, data: ArrayBuffer): i32 {
  store<u32>(scratch, changetype<usize>(data));
  store<u32>(scratch, <u32>data.byteLength, 4);
  let err = fd_write(fd, scratch, 1, scratch + 8);
  if (err != 0) return -<i32>err;
  return <i32>load<u32>(scratch, 8);
}

function readSome(fd: u32, len: i32): ArrayBuffer {
  let buf = new ArrayBuffer(len);
  store<u32>(scratch, changetype<usize>(buf));
  store<u32>(scratch, <u32>len, 4);
  let err = fd_read(fd, scratch, 1, scratch + 8);
  if (err != 0) {
    console.log("fd_read: errno " + err.toString());
    return new ArrayBuffer(0);
  }
  return buf.slice(0, <i32>load<u32>(scratch, 8));
}

let argv = process.argv;
console.log("argc=" + argv.length.toString());
for (let i = 0; i < argv.length; i++) {
  console.log("argv[" + i.toString() + "]=" + argv[i]);
}

let keys = process.env.keys();
keys.sort();
console.log("envc=" + keys.length.toString());
for (let i = 0; i < keys.length; i++) {
  console.log("env " + keys[i] + "=" + process.env.get(keys[i]));
}

let code = 7;
if (argv.length > 1) code = I32.parseInt(argv[1]);

let dir = findPreopen();
if (dir < 0) {
  console.log("no preopened directory");
} else {
  console.log("preopen fd=" + dir.toString() + " name=" + preopenName(<u32>dir));
  let content = "written by AssemblyScript: " + argv.join(" ") + "\n";
  let fd = openAt(<u32>dir, "as-out.txt", OFLAGS_CREAT | OFLAGS_TRUNC, RIGHTS_FD_WRITE);
  if (fd >= 0) {
    let n = writeAll(<u32>fd, String.UTF8.encode(content));
    console.log("wrote " + n.toString() + " bytes");
    fd_close(<u32>fd);
  }
  fd = openAt(<u32>dir, "as-out.txt", 0, RIGHTS_FD_READ);
  if (fd >= 0) {
    let back = String.UTF8.decode(readSome(<u32>fd, 4096));
    console.log("read back " + String.UTF8.byteLength(back).toString() + " bytes: " + back.trimEnd());
    console.log("same: " + (back == content ? "yes" : "no"));
    fd_close(<u32>fd);
  }
  let fd2 = openAt(<u32>dir, "input.txt", 0, RIGHTS_FD_READ);
  if (fd2 >= 0) {
    console.log("input.txt: " + String.UTF8.decode(readSome(<u32>fd2, 4096)).trimEnd());
    fd_close(<u32>fd2);
  }
}

process.stderr.write("to stderr: exiting with " + code.toString() + "\n");
process.exit(code);
