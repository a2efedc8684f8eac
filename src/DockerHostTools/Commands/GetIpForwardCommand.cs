using System.Management.Automation;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Commands;

/// <summary>Which families a command looks at.</summary>
public enum IpForwardFamily
{
    /// <summary>IPv4 only.</summary>
    IPv4,

    /// <summary>IPv6 only.</summary>
    IPv6,

    /// <summary>Both.</summary>
    All,
}

/// <summary>
/// <para type="synopsis">Shows whether IP forwarding is on now, whether it stays on after the next boot, and which file decides it.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "IpForward", HelpUri = ProjectInfo.HelpBase + "Get-IpForward.md")]
[OutputType(typeof(IpForwardState))]
public sealed class GetIpForwardCommand : DockerHostCmdlet
{
    /// <summary>The families to read (IPv4 by default).</summary>
    [Parameter(Position = 0)]
    public IpForwardFamily Family { get; set; } = IpForwardFamily.IPv4;

    /// <summary>A folder that holds a saved copy of a host's files (etc/, usr/, proc/); the live host by default.</summary>
    [Parameter]
    [ValidateHostPath]
    public string? Root { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var fs = LiveFiles;
        if (Root is not null)
        {
            var resolved = GetUnresolvedProviderPathFromPSPath(Root);
            if (!Directory.Exists(resolved))
            {
                ThrowTerminatingError(new ErrorRecord(new DirectoryNotFoundException($"The root folder '{resolved}' does not exist."),
                    "RootNotFound", ErrorCategory.ObjectNotFound, Root));
            }

            fs = Observe(new HostFileSystem(resolved));
        }

        var reader = new IpForward(Runner, fs);
        var configuration = SysctlConfiguration.Load(fs, null, CancellationToken);
        WriteReadLog();
        foreach (var unreadable in configuration.Unreadable)
        {
            // Not silent: what these files set is unknown, so the verdict below may be wrong (its Confidence is Low).
            WriteWarning($"{unreadable.Path} could not be read ({unreadable.Reason}): {unreadable.Message}");
        }

        foreach (var family in Families(Family))
        {
            // IPv6 has two switches: net.ipv6.conf.all.forwarding and net.ipv6.conf.default.forwarding.
            foreach (var state in reader.GetAll(family, configuration))
            {
                WriteReadLog();
                WriteObject(state);
            }
        }
    }

    internal static IReadOnlyList<IpFamily> Families(IpForwardFamily family) => family switch
    {
        IpForwardFamily.IPv4 => [IpFamily.IPv4],
        IpForwardFamily.IPv6 => [IpFamily.IPv6],
        _ => [IpFamily.IPv4, IpFamily.IPv6],
    };
}
