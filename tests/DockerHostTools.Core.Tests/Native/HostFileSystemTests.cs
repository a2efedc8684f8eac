using System.Diagnostics;
using System.Runtime.InteropServices;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Tests.Native;

/// <summary>Serialises the tests that change the process umask (it is process-wide).</summary>
[CollectionDefinition("umask", DisableParallelization = true)]
public sealed class UmaskCollection;

/// <summary>
/// Issue 13, defects 4, 5, 8 and 9 (-Root): the one writing and the one reading routine, on real files in a temp folder:
/// links, owners (chown to another uid as root), modes under umask 077, FIFOs, stale temporary files.
/// </summary>
[Collection("umask")]
public sealed class HostFileSystemTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dht-fs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    [DllImport("libc")]
    private static extern uint umask(uint mask);

    [DllImport("libc", SetLastError = true)]
    private static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint uid, uint gid);

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    private static PosixStat Stat(string path) => Posix.Stat(path, follow: false)!.Value;

    [Fact]
    public void Defect4_RefusesToWriteThroughASymlink()
    {
        File.WriteAllText(P("outside.conf"), "outside\n");
        File.CreateSymbolicLink(P("link.conf"), P("outside.conf"));
        var ex = Assert.Throws<SymlinkWriteRefusedException>(() => HostFileSystem.Live.WriteAllTextAtomic(P("link.conf"), "new\n"));
        Assert.Contains("symbolic link", ex.Message, StringComparison.Ordinal);
        Assert.Equal("outside\n", File.ReadAllText(P("outside.conf")));
        Assert.Equal(HostFileType.SymbolicLink, Stat(P("link.conf")).Type);
        Assert.Empty(Directory.GetFiles(_dir, ".*.tmp"));
    }

    [Fact]
    public void Defect4_WritesThroughASymlinkOnlyWhenAsked()
    {
        File.WriteAllText(P("target.conf"), "old\n");
        File.CreateSymbolicLink(P("link.conf"), "target.conf");
        HostFileSystem.Live.WriteAllTextAtomic(P("link.conf"), "new\n", new AtomicWriteOptions { FollowSymlinks = true });
        Assert.Equal("new\n", File.ReadAllText(P("target.conf")));
        Assert.Equal(HostFileType.SymbolicLink, Stat(P("link.conf")).Type);
    }

    [Fact]
    public void Defect4_SavedCopyLinkFollowedStaysInsideTheRoot()
    {
        var root = Directory.CreateDirectory(P("root")).FullName;
        File.WriteAllText(P("live.conf"), "live\n");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        // An absolute link names the copy's path, never the live file of the same name.
        File.CreateSymbolicLink(Path.Combine(root, "etc/x.conf"), P("live.conf"));
        new HostFileSystem(root).WriteAllTextAtomic("/etc/x.conf", "copy\n", new AtomicWriteOptions { FollowSymlinks = true });
        Assert.Equal("live\n", File.ReadAllText(P("live.conf")));
        Assert.Equal("copy\n", File.ReadAllText(Path.Join(root, P("live.conf"))));
    }

    [Fact]
    public void Defect4_KeepsOwnerGroupAndModeOfTheReplacedFile()
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test chowns to another uid and needs root (CI runs as root)");
        File.WriteAllText(P("owned.conf"), "old\n");
        Assert.Equal(0, chown(P("owned.conf"), 4321, 8765));
        File.SetUnixFileMode(P("owned.conf"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        HostFileSystem.Live.WriteAllTextAtomic(P("owned.conf"), "new\n");
        var st = Stat(P("owned.conf"));
        Assert.Equal("new\n", File.ReadAllText(P("owned.conf")));
        Assert.Equal((4321u, 8765u), (st.Uid, st.Gid));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, st.Mode);
    }

    [Fact]
    public void Defect4_NewFileIs0644AndAReplacedFileKeeps0644UnderUmask077()
    {
        File.WriteAllText(P("kept.conf"), "old\n");
        File.SetUnixFileMode(P("kept.conf"), HostFileSystem.NewFileMode);
        var old = umask(0x3F); // 077
        try
        {
            HostFileSystem.Live.WriteAllTextAtomic(P("new.conf"), "x\n");
            HostFileSystem.Live.WriteAllTextAtomic(P("kept.conf"), "y\n");
        }
        finally
        {
            umask(old);
        }

        Assert.Equal(HostFileSystem.NewFileMode, Stat(P("new.conf")).Mode);
        Assert.Equal(HostFileSystem.NewFileMode, Stat(P("kept.conf")).Mode);
    }

    [Fact]
    public void Defect4_RemovesStaleTemporaryFilesOfItsOwnNamingOnly()
    {
        var stale = P(HostFileSystem.TemporaryName("x.conf", "deadbeef"));
        File.WriteAllText(stale, "half-written by a killed writer");
        File.WriteAllText(P(".x.conf.someone-else.tmp"), "not ours");
        File.WriteAllText(P(HostFileSystem.TemporaryName("y.conf", "0badf00d")), "another target's");
        HostFileSystem.Live.WriteAllTextAtomic(P("x.conf"), "new\n");
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(P(".x.conf.someone-else.tmp")));
        Assert.True(File.Exists(P(HostFileSystem.TemporaryName("y.conf", "0badf00d"))));
        Assert.Equal("new\n", File.ReadAllText(P("x.conf")));
    }

    [Fact]
    public void Defect4_FsyncsTheFileAndTheFolderAfterTheRename()
    {
        // strace shows the calls in order: fsync of the temp file, rename, fsync of the folder.
        var probe = Path.Combine(AppContext.BaseDirectory, "DockerHostTools.Core.dll");
        Assert.True(File.Exists(probe));
        var pid = Environment.ProcessId;
        using var strace = Process.Start(new ProcessStartInfo("strace", ["-f", "-e", "trace=fsync,rename,renameat,renameat2,openat", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", P("trace.txt")])
        {
            RedirectStandardError = true,
        })!;
        Thread.Sleep(1500); // strace attaches to every thread
        HostFileSystem.Live.WriteAllTextAtomic(P("synced.conf"), "x\n");
        Thread.Sleep(300);
        strace.Kill();
        strace.WaitForExit();
        var trace = File.ReadAllLines(P("trace.txt"));
        var rename = Array.FindIndex(trace, l => l.Contains("rename", StringComparison.Ordinal) && l.Contains("synced.conf", StringComparison.Ordinal));
        Assert.True(rename > 0, string.Join('\n', trace.TakeLast(20)));
        Assert.Contains(trace.Take(rename), l => l.Contains("fsync(", StringComparison.Ordinal));
        Assert.Contains(trace.Skip(rename), l => l.Contains("fsync(", StringComparison.Ordinal));
        Assert.Contains(trace.Skip(rename), l => l.Contains("O_DIRECTORY", StringComparison.Ordinal) && l.Contains(_dir, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Defect8_FifoIsReportedNotOpened()
    {
        using var tree = new HostTree();
        tree.File("/etc/sysctl.d/10-on.conf", "net.ipv4.ip_forward = 1\n").File("/proc/sys/net/ipv4/ip_forward", "1");
        Assert.Equal(0, mkfifo(tree.Fs.Map("/etc/sysctl.d/50-fifo.conf"), 0x1A4));
        var load = Task.Run(() => SysctlConfiguration.Load(tree.Fs));
        Assert.Same(load, await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(10))));
        var unreadable = Assert.Single((await load).Unreadable);
        Assert.Equal(("/etc/sysctl.d/50-fifo.conf", UnreadableReason.NotRegularFile), (unreadable.Path, unreadable.Reason));
        var ex = Assert.Throws<HostFileUnreadableException>(() => tree.Fs.ReadAllText("/etc/sysctl.d/50-fifo.conf"));
        Assert.Contains("Fifo", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defect8_DeviceIsReportedNotRead()
    {
        var ex = Assert.Throws<HostFileUnreadableException>(() => HostFileSystem.Live.ReadAllText("/dev/zero"));
        Assert.Equal(UnreadableReason.NotRegularFile, ex.Reason);
    }

    [Fact]
    public void Defect8_ReadIsBoundedAndCancellable()
    {
        File.WriteAllText(P("big.conf"), new string('#', 10_000));
        var big = Assert.Throws<HostFileUnreadableException>(() => HostFileSystem.Live.ReadAllText(P("big.conf"), 4096, CancellationToken.None));
        Assert.Equal(UnreadableReason.TooLarge, big.Reason);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => HostFileSystem.Live.ReadAllText(P("big.conf"), 1 << 20, cts.Token));
        Assert.Equal(10_000, HostFileSystem.Live.ReadAllText(P("big.conf")).Length);
    }

    [Fact]
    public void Defect5_UnreadableFileLowersConfidenceAndLeavesTheVerdict()
    {
        using var tree = new HostTree();
        tree.File("/etc/sysctl.d/10-off.conf", "net.ipv4.ip_forward = 0\n").File("/proc/sys/net/ipv4/ip_forward", "1");
        Assert.Equal(0, mkfifo(tree.Fs.Map("/etc/sysctl.d/99-unknown.conf"), 0x1A4));
        var state = new IpForward(CliWrapRunner.Instance, tree.Fs).Get(IpFamily.IPv4);
        Assert.Equal(IpForwardStatus.PersistedDisabled, state.Status);
        Assert.Equal(VerdictConfidence.Low, state.Confidence);
        Assert.Equal("/etc/sysctl.d/99-unknown.conf", Assert.Single(state.Unreadable).Path);
        Assert.Contains("could not be read", state.Message, StringComparison.Ordinal);
        Assert.Contains("99-unknown.conf", state.Message, StringComparison.Ordinal);

        tree.File("/etc/sysctl.d/20-plain.conf", string.Empty);
        File.Delete(tree.Fs.Map("/etc/sysctl.d/99-unknown.conf"));
        Assert.Equal(VerdictConfidence.High, new IpForward(CliWrapRunner.Instance, tree.Fs).Get(IpFamily.IPv4).Confidence);
    }

    [Fact]
    public void Defect9_RootDoesNotFollowAbsoluteSymlinksOutOfTheSavedCopy()
    {
        // A live file that says 0, and a saved copy whose drop-in is an absolute link to that same path.
        File.WriteAllText(P("evil.conf"), "net.ipv4.ip_forward = 0\n");
        using var tree = new HostTree();
        tree.File("/proc/sys/net/ipv4/ip_forward", "1").Link("/etc/sysctl.d/99-link.conf", P("evil.conf"));
        tree.File(P("evil.conf"), "net.ipv4.ip_forward = 1\n"); // the copy's own file at that path
        var state = new IpForward(CliWrapRunner.Instance, tree.Fs).Get(IpFamily.IPv4);
        Assert.Equal(IpForwardStatus.Ok, state.Status);
        Assert.Equal("1", state.PersistedSource!.Value);

        // Relative links climbing above the root stop at it.
        tree.Link("/etc/sysctl.d/98-up.conf", "../../../../../../../../.." + P("evil.conf"));
        Assert.Equal("net.ipv4.ip_forward = 1\n", tree.Fs.ReadAllText("/etc/sysctl.d/98-up.conf"));
        Assert.StartsWith(tree.Root, tree.Fs.Resolve("/etc/sysctl.d/98-up.conf"), StringComparison.Ordinal);
    }

    [Fact]
    public void Defect9_LinkLoopInSavedCopyIsReported()
    {
        using var tree = new HostTree();
        tree.Link("/etc/sysctl.d/a.conf", "/etc/sysctl.d/b.conf").Link("/etc/sysctl.d/b.conf", "a.conf");
        var config = SysctlConfiguration.Load(tree.Fs);
        Assert.Contains(config.Unreadable, u => u.Reason == UnreadableReason.LinkOutsideRoot);
    }
}
