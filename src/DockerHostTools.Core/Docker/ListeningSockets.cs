using System.Globalization;
using System.Net;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Docker;

/// <summary>A socket that listens (TCP LISTEN, or a bound UDP socket) in the current network namespace.</summary>
public sealed class ListeningSocket
{
    /// <summary>Creates a socket.</summary>
    public ListeningSocket(string protocol, string address, int port, long inode, int? processId, string? processName)
    {
        Protocol = protocol;
        Address = address;
        Port = port;
        Inode = inode;
        ProcessId = processId;
        ProcessName = processName;
    }

    /// <summary><c>tcp</c> or <c>udp</c>.</summary>
    public string Protocol { get; }

    /// <summary>The local address (<c>0.0.0.0</c>, <c>::</c>, <c>127.0.0.1</c>).</summary>
    public string Address { get; }

    /// <summary>The local port.</summary>
    public int Port { get; }

    /// <summary>The socket inode.</summary>
    public long Inode { get; }

    /// <summary>The docker-proxy process holding it, when it is one (other owners are not looked up).</summary>
    public int? ProcessId { get; }

    /// <summary>The name of that process (<c>docker-proxy</c>), null when another process (or none found) holds it.</summary>
    public string? ProcessName { get; }
}

/// <summary>Reads listening sockets from <c>/proc/net/tcp</c>, <c>tcp6</c>, <c>udp</c>, <c>udp6</c> (no <c>ss</c> process needed).</summary>
public static class ListeningSockets
{
    /// <summary>Every listening socket (on <paramref name="ports"/> only, when given), with the owning process when it can be found.</summary>
    public static IReadOnlyList<ListeningSocket> Read(IHostFileSystem fs, IReadOnlySet<int>? ports = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        var raw = new List<(string Protocol, string Address, int Port, long Inode)>();
        foreach (var (file, protocol, listenState) in new[] { ("tcp", "tcp", "0A"), ("tcp6", "tcp", "0A"), ("udp", "udp", "07"), ("udp6", "udp", "07") })
        {
            var path = "/proc/net/" + file;
            if (!fs.FileExists(path))
            {
                continue;
            }

            raw.AddRange(Parse(fs.ReadAllText(path), protocol, listenState).Where(r => ports is null || ports.Contains(r.Port)));
        }

        var owners = FindOwners(fs, raw.Select(r => r.Inode).Where(i => i != 0).ToHashSet());
        return raw.Select(r => owners.TryGetValue(r.Inode, out var o)
            ? new ListeningSocket(r.Protocol, r.Address, r.Port, r.Inode, o.Pid, o.Name)
            : new ListeningSocket(r.Protocol, r.Address, r.Port, r.Inode, null, null)).ToList();
    }

    /// <summary>Parses one <c>/proc/net/{tcp,tcp6,udp,udp6}</c> file and keeps the sockets in <paramref name="listenState"/> (0A = LISTEN, 07 = UDP unconnected).</summary>
    public static IEnumerable<(string Protocol, string Address, int Port, long Inode)> Parse(string text, string protocol, string listenState)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.Split('\n').Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 10 || f[3] != listenState)
            {
                continue;
            }

            var local = f[1].Split(':');
            if (local.Length != 2)
            {
                continue;
            }

            var port = int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            long.TryParse(f[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode);
            yield return (protocol, DecodeAddress(local[0]), port, inode);
        }
    }

    /// <summary>Decodes the kernel's hex address (little-endian 32-bit words) into text.</summary>
    public static string DecodeAddress(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            var value = uint.Parse(hex.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            bytes[word * 4] = (byte)value;
            bytes[(word * 4) + 1] = (byte)(value >> 8);
            bytes[(word * 4) + 2] = (byte)(value >> 16);
            bytes[(word * 4) + 3] = (byte)(value >> 24);
        }

        return new IPAddress(bytes).ToString();
    }

    /// <summary>
    /// Finds which docker-proxy process holds each socket: only processes named docker-proxy have their descriptors read
    /// (reading every process's descriptors costs more than running ss); other owners stay unknown.
    /// </summary>
    private static Dictionary<long, (int Pid, string Name)> FindOwners(IHostFileSystem fs, HashSet<long> inodes)
    {
        var owners = new Dictionary<long, (int, string)>();
        var proc = fs.Map("/proc");
        if (inodes.Count == 0 || !Directory.Exists(proc))
        {
            return owners;
        }

        foreach (var dir in Directory.EnumerateDirectories(proc))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var comm = HostFileSystem.Live.ReadAllText(Path.Combine(dir, "comm"), 4096, CancellationToken.None).Trim();
                if (comm != ProxyProcessName)
                {
                    continue;
                }

                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                {
                    var target = new FileInfo(fd).LinkTarget;
                    if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) &&
                        long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode) &&
                        inodes.Contains(inode))
                    {
                        owners.TryAdd(inode, (pid, comm));
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended, or its fds are not ours to read (not root): its sockets stay without an owner.
            }

            if (owners.Count == inodes.Count)
            {
                break;
            }
        }

        return owners;
    }

    /// <summary>The process name of Docker's userland proxy.</summary>
    public const string ProxyProcessName = "docker-proxy";
}
