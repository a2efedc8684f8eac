using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>
/// One snapshot of everything that decides whether a Docker host's published ports answer from outside:
/// the forwarding switches, firewalld, Docker's chains, the published ports and the services with their start order.
/// The rich objects are for people and pipelines; <see cref="Facts"/> (also as <see cref="FactsJson"/>) is what the checks read.
/// </summary>
public sealed class DockerHostNetState
{
    /// <summary>The snapshot of one reading; its facts are built from it by <see cref="HostFactsBuilder"/>.</summary>
    public DockerHostNetState(HostReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        Facts = HostFactsBuilder.Build(reading);
        IpForward = reading.IpForward;
        Firewalld = reading.Firewalld;
        Chains = reading.Chains;
        PublishedPorts = reading.PublishedPorts;
        Services = reading.Services;
    }

    /// <summary>When it was taken.</summary>
    public DateTimeOffset Taken => Facts.Taken;

    /// <summary>The host.</summary>
    public string HostName => Facts.HostName;

    /// <summary>The forwarding switches (IPv4, IPv6).</summary>
    public IReadOnlyList<IpForwardState> IpForward { get; }

    /// <summary>firewalld's state and zones (null when it could not be read).</summary>
    public FirewalldState? Firewalld { get; }

    /// <summary>Docker's chains in every iptables variant that holds rules.</summary>
    public IReadOnlyList<DockerChainState> Chains { get; }

    /// <summary>The published ports of interest, cross-checked with the rules.</summary>
    public IReadOnlyList<DockerPublishedPort> PublishedPorts { get; }

    /// <summary>docker, containerd, firewalld and the network managers present.</summary>
    public IReadOnlyList<DockerHostService> Services { get; }

    /// <summary>True when firewalld entered its active state after dockerd did; null when either is not active.</summary>
    public bool? FirewalldStartedAfterDocker => Services.FirstOrDefault(s => s.Name == "firewalld.service")?.ActiveAfterDocker;

    /// <summary>What could not be read.</summary>
    public IReadOnlyList<string> Problems => Facts.Problems;

    /// <summary>The plain facts the checks read.</summary>
    public HostFacts Facts { get; }

    /// <summary>The facts as JSON: survives Export-Clixml / Import-Clixml, so Test-DockerHost can judge the snapshot later.</summary>
    public string FactsJson => Facts.ToJson();
}

