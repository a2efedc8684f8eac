using System.Text.RegularExpressions;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Docker;

/// <summary>
/// The Linux bridges Docker made for its bridge networks: <c>docker0</c> (the default network) and <c>br-</c> followed by
/// twelve hex digits of the network id (user networks), read from <c>/proc/net/dev</c> and <c>/sys/class/net/NAME/bridge</c>
/// (no process). dockerd puts each into firewalld's <c>docker</c> zone when it uses firewalld.
/// </summary>
public static partial class DockerBridges
{
    /// <summary>The bridges of this host's network namespace, sorted; empty when unreadable.</summary>
    public static IReadOnlyList<string> Read(IHostFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        try
        {
            if (!fileSystem.FileExists("/proc/net/dev"))
            {
                return [];
            }

            return fileSystem.ReadAllText("/proc/net/dev").Split('\n').Skip(2)
                .Select(l => l.Split(':')[0].Trim())
                .Where(n => IsDockerBridgeName(n) && fileSystem.DirectoryExists($"/sys/class/net/{n}/bridge"))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>True for <c>docker0</c> and <c>br-</c> with twelve hex digits.</summary>
    public static bool IsDockerBridgeName(string name) => name == "docker0" || BridgeName().IsMatch(name ?? string.Empty);

    [GeneratedRegex("^br-[0-9a-f]{12}$")]
    private static partial Regex BridgeName();
}
