using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DockerHostTools.Core.Native;

/// <summary>The kind of a file system entry, from <c>statx</c>'s <c>stx_mode</c>.</summary>
public enum HostFileType
{
    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link (seen without following it).</summary>
    SymbolicLink,

    /// <summary>A named pipe: opening it for reading waits for a writer.</summary>
    Fifo,

    /// <summary>A character device.</summary>
    CharacterDevice,

    /// <summary>A block device.</summary>
    BlockDevice,

    /// <summary>A unix socket.</summary>
    Socket,

    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>What <c>statx</c> says about one entry.</summary>
internal readonly record struct PosixStat(HostFileType Type, uint Uid, uint Gid, UnixFileMode Mode, long Size);

/// <summary>
/// The few libc calls .NET does not offer: statx (owner, group and type without following a link), fchown, fchmod
/// (a mode that ignores the umask), fsync of a folder, and open with O_NONBLOCK (a FIFO never blocks the open).
/// statx's buffer layout is the same on every Linux architecture.
/// </summary>
internal static class Posix
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int ORdOnly = 0;
    private const int ONonBlock = 0x800;
    private const int ODirectory = 0x10000;
    private const int ONoFollow = 0x20000;
    private const int OCloExec = 0x80000;

    /// <summary>ELOOP: O_NOFOLLOW met a link.</summary>
    internal const int ELoop = 40;

    /// <summary>EACCES.</summary>
    internal const int EAccess = 13;

    /// <summary>ENOENT.</summary>
    internal const int ENoEnt = 2;

    /// <summary>The entry at <paramref name="path"/>; null when it does not exist. <paramref name="follow"/> false: a link is described itself.</summary>
    /// <exception cref="IOException">statx failed for another reason than a missing entry.</exception>
    internal static PosixStat? Stat(string path, bool follow)
    {
        var buffer = new byte[256];
        if (statx(AtFdCwd, path, follow ? 0 : AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENoEnt or 20 /* ENOTDIR */)
            {
                return null;
            }

            throw Error(errno, path, "stat");
        }

        return Decode(buffer);
    }

    /// <summary>The entry an open descriptor refers to.</summary>
    internal static PosixStat Stat(SafeFileHandle handle, string path)
    {
        var buffer = new byte[256];
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxBasicStats, buffer) != 0)
            {
                throw Error(Marshal.GetLastPInvokeError(), path, "stat");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        return Decode(buffer);
    }

    /// <summary>Opens a file for reading without blocking on a FIFO and, with <paramref name="noFollow"/>, without following a final link.</summary>
    internal static SafeFileHandle OpenRead(string path, bool noFollow)
    {
        var fd = open(path, ORdOnly | ONonBlock | OCloExec | (noFollow ? ONoFollow : 0), 0);
        if (fd < 0)
        {
            throw Error(Marshal.GetLastPInvokeError(), path, "open");
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Sets the owner and group of an open file.</summary>
    internal static void Chown(SafeFileHandle handle, uint uid, uint gid, string path) =>
        WithFd(handle, fd => fchown(fd, uid, gid), path, "chown");

    /// <summary>Sets the mode of an open file exactly (the umask does not apply).</summary>
    internal static void Chmod(SafeFileHandle handle, UnixFileMode mode, string path) =>
        WithFd(handle, fd => fchmod(fd, (uint)mode), path, "chmod");

    /// <summary>Flushes a folder's entries (a rename in it) to disk.</summary>
    internal static void FsyncDirectory(string directory)
    {
        var fd = open(directory, ORdOnly | ODirectory | OCloExec, 0);
        if (fd < 0)
        {
            throw Error(Marshal.GetLastPInvokeError(), directory, "open");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // EINVAL: the file system does not support fsync on a folder (some FUSE and tmpfs setups): nothing to flush.
                if (errno != 22)
                {
                    throw Error(errno, directory, "fsync");
                }
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    /// <summary>The soft limit on open files (RLIMIT_NOFILE), or null when it cannot be read or is unlimited.</summary>
    internal static long? OpenFileLimit()
    {
        var limit = new long[2];
        if (getrlimit(7 /* RLIMIT_NOFILE */, limit) != 0 || limit[0] < 0)
        {
            return null;
        }

        return limit[0];
    }

    /// <summary>An IOException (UnauthorizedAccessException for EACCES/EPERM) that names the call, the path and the errno text.</summary>
    internal static Exception Error(int errno, string path, string call)
    {
        var text = Marshal.GetPInvokeErrorMessage(errno);
        var message = $"{call} '{path}': {text}";
        return errno is EAccess or 1 /* EPERM */
            ? new UnauthorizedAccessException(message)
            : new IOException(message, errno);
    }

    private static void WithFd(SafeFileHandle handle, Func<int, int> call, string path, string name)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (call((int)handle.DangerousGetHandle()) != 0)
            {
                throw Error(Marshal.GetLastPInvokeError(), path, name);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static PosixStat Decode(byte[] b)
    {
        var uid = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(20));
        var gid = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(24));
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(28));
        var size = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(40));
        if (!BitConverter.IsLittleEndian)
        {
            uid = BinaryPrimitives.ReverseEndianness(uid);
            gid = BinaryPrimitives.ReverseEndianness(gid);
            mode = BinaryPrimitives.ReverseEndianness(mode);
            size = BinaryPrimitives.ReverseEndianness(size);
        }

        var type = (mode & 0xF000) switch
        {
            0x8000 => HostFileType.Regular,
            0x4000 => HostFileType.Directory,
            0xA000 => HostFileType.SymbolicLink,
            0x1000 => HostFileType.Fifo,
            0x2000 => HostFileType.CharacterDevice,
            0x6000 => HostFileType.BlockDevice,
            0xC000 => HostFileType.Socket,
            _ => HostFileType.Other,
        };
        return new PosixStat(type, uid, gid, (UnixFileMode)(mode & 0xFFF), size);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int fchown(int fd, uint uid, uint gid);

    [DllImport("libc", SetLastError = true)]
    private static extern int fchmod(int fd, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, long[] limit);
}
