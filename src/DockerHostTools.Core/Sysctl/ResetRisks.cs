using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Sysctl;

/// <summary>Finds configuration that switches IPv4 forwarding off behind sysctl.d's back.</summary>
public static class ResetRisks
{
    private static readonly string[] NetworkdFolders = ["/etc/systemd/network", "/run/systemd/network", "/usr/lib/systemd/network", "/lib/systemd/network"];

    /// <summary>
    /// systemd-networkd <c>.network</c> files with <c>IPForward=no|false|0|ipv6</c> or <c>IPv4Forwarding=no</c> (v256+),
    /// which networkd applies whenever it configures the link.
    /// </summary>
    public static IReadOnlyList<string> Find(IHostFileSystem fs) => Find(fs, null);

    /// <summary>As <see cref="Find(IHostFileSystem)"/>; every file or folder that could not be read goes into <paramref name="unreadable"/>.</summary>
    public static IReadOnlyList<string> Find(IHostFileSystem fs, ICollection<UnreadableFile>? unreadable) => Find(fs, unreadable, IpFamily.IPv4);

    /// <summary>
    /// The same for one family: IPv6 is switched off by <c>IPForward=no|false|0|ipv4</c> or <c>IPv6Forwarding=no</c> (v256+).
    /// </summary>
    public static IReadOnlyList<string> Find(IHostFileSystem fs, ICollection<UnreadableFile>? unreadable, IpFamily family)
    {
        ArgumentNullException.ThrowIfNull(fs);
        var risks = new List<string>();
        foreach (var dir in NetworkdFolders)
        {
            IReadOnlyList<string> files;
            try
            {
                files = fs.ListFiles(dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                unreadable?.Add(UnreadableFile.From(dir, ex));
                continue;
            }

            foreach (var file in files.Where(f => f.EndsWith(".network", StringComparison.Ordinal)))
            {
                string text;
                try
                {
                    text = fs.ReadAllText(file);
                }
                catch (FileNotFoundException)
                {
                    continue;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    unreadable?.Add(UnreadableFile.From(file, ex));
                    continue;
                }

                var lineNo = 0;
                foreach (var raw in text.Split('\n'))
                {
                    lineNo++;
                    var line = raw.Trim();
                    var eq = line.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0 || line.StartsWith('#') || line.StartsWith(';'))
                    {
                        continue;
                    }

                    var key = line[..eq].Trim();
                    var value = line[(eq + 1)..].Trim().ToLowerInvariant();
                    var no = value is "no" or "false" or "0" or "off";
                    var off = (key, family) switch
                    {
                        ("IPForward", IpFamily.IPv4) => no || value == "ipv6",
                        ("IPForward", IpFamily.IPv6) => no || value == "ipv4",
                        ("IPv4Forwarding", IpFamily.IPv4) => no,
                        ("IPv6Forwarding", IpFamily.IPv6) => no,
                        _ => false,
                    };
                    if (off)
                    {
                        risks.Add($"{file}:{lineNo} sets {key}={line[(eq + 1)..].Trim()} (systemd-networkd)");
                    }
                }
            }
        }

        return risks;
    }
}
