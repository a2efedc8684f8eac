using System.Management.Automation;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Lists the ports firewalld opens, one object per zone and port/protocol, with runtime and permanent side by side.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "FirewalldPort", HelpUri = ProjectInfo.HelpBase + "Get-FirewalldPort.md")]
[OutputType(typeof(FirewalldPort))]
public sealed class GetFirewalldPortCommand : DockerHostCmdlet
{
    /// <summary>Zone names (wildcards allowed); all zones by default.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completers.FirewalldZoneCompleter))]
    public string[]? Zone { get; set; }

    /// <summary>Only entries that cover this port (or range).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Port { get; set; }

    /// <summary>Only this protocol: tcp, udp, sctp or dccp.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completers.PortProtocolCompleter))]
    public string? Protocol { get; set; }

    /// <summary>Only entries whose runtime and permanent configurations disagree.</summary>
    [Parameter]
    public SwitchParameter Drift { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        // A bad pattern or an unknown zone is an error of its own (as in Get-FirewalldZone); the other zones are listed.
        var zones = new List<string>();
        foreach (var z in Zone ?? [])
        {
            if (Wildcards.TryCreate(z, out var bad) is null)
            {
                WriteError(bad!);
            }
            else
            {
                zones.Add(z);
            }
        }

        if (Zone is not null && zones.Count == 0)
        {
            return;
        }

        FirewalldPortSpec? filter = null;
        string? protocol = null;
        try
        {
            if (Protocol is not null)
            {
                protocol = FirewalldPortSpec.Parse("1", Protocol).Protocol;
            }

            if (Port is not null)
            {
                filter = FirewalldPortSpec.Parse(Port, protocol);
                if (Port.Contains('/', StringComparison.Ordinal))
                {
                    protocol = filter.Protocol; // 5000/udp filters on udp as -Protocol udp does
                }
            }
        }
        catch (FirewalldInputException ex)
        {
            ThrowTerminatingError(FirewalldCommandSupport.ToFirewalldError(ex, ex.Value)!);
            return;
        }

        var state = Await(ct => FirewalldReader.GetStateAsync(Runner, LiveFiles, ct));
        if (!state.IsRunning)
        {
            ThrowTerminatingError(FirewalldCommandSupport.ToFirewalldError(new FirewalldNotRunningException(state.State,
                $"firewalld is {state.State}: no port is filtered by it now. {state.Message}"), null)!);
        }

        foreach (var z in zones.Where(z => !WildcardPattern.ContainsWildcardCharacters(z)))
        {
            if (!state.Zones.Concat(state.PermanentZones).Any(x => x.Name == z))
            {
                WriteError(FirewalldCommandSupport.NoSuchZone(z, state.Zones.Concat(state.PermanentZones)));
            }
        }

        var ports = FirewalldReader.GetPorts(state, FirewalldReader.ReadServicePorts(LiveFiles));
        WriteReadLog();
        foreach (var p in ports)
        {
            var spec = FirewalldPortSpec.Parse(p.Port, p.Protocol);
            if ((Zone is null || zones.Any(z => FirewalldCommandSupport.Matches(p.Zone, z)))
                && (protocol is null || p.Protocol == protocol)
                && (filter is null || new FirewalldPortSpec(spec.From, spec.To, filter.Protocol).Covers(filter) && (protocol is null || spec.Protocol == protocol))
                && (!Drift || p.Drift))
            {
                WriteObject(p);
            }
        }
    }
}
