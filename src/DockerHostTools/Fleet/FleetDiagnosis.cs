using System.Management.Automation;
using System.Text.Json;
using DockerHostTools.Core.Diagnosis;

namespace DockerHostTools.Fleet;

/// <summary>
/// The fleet's read: on each host, check that DockerHostTools is there in the controlling version, import it and take one
/// snapshot (Get-DockerHostNetState); the snapshots come back deserialized and are judged here, by this module's checks,
/// so every host is judged by the same rules.
/// </summary>
internal static class FleetDiagnosis
{
    /// <summary>The remote script: a probe object, then the snapshot. Arguments: the controlling version, the ports.</summary>
    internal const string SnapshotScript = """
        param([string] $Version, [int[]] $Port)
        $m = Get-Module -Name DockerHostTools | Select-Object -First 1
        if (-not $m) {
            # The controlling version when the host has it beside others, else the highest (whose version is then named).
            $all = @(Get-Module -ListAvailable -Name DockerHostTools | Sort-Object Version -Descending)
            $m = @($all | Where-Object { "$($_.Version)" -eq $Version }) + $all | Select-Object -First 1
        }
        if (-not $m) { return [pscustomobject]@{ DhtFleetProbe = 'ModuleNotInstalled'; ModuleVersion = '' } }
        if ("$($m.Version)" -ne $Version) { return [pscustomobject]@{ DhtFleetProbe = 'ModuleVersionDiffers'; ModuleVersion = "$($m.Version)" } }
        if (-not (Get-Module -Name DockerHostTools)) { Import-Module $m.Path -ErrorAction Stop }
        [pscustomobject]@{ DhtFleetProbe = 'Ready'; ModuleVersion = "$($m.Version)" }
        if ($Port) { Get-DockerHostNetState -Port $Port -WarningAction SilentlyContinue } else { Get-DockerHostNetState -WarningAction SilentlyContinue }
        """;

    /// <summary>The probe's answer and the snapshot of one host.</summary>
    internal sealed record HostSnapshot(FleetHost Host, string Status, string? ModuleVersion, PSObject? Snapshot, string? Failure);

    public static async Task<List<HostSnapshot>> ReadAsync(IReadOnlyList<FleetHost> hosts, string version, int[]? ports, int throttle, CancellationToken ct)
    {
        var calls = await FleetInvoker.InvokeAsync(hosts, SnapshotScript, _ => [version, ports], throttle, ct).ConfigureAwait(false);
        var byHost = calls.ToDictionary(c => c.Host);
        return hosts.Select(h =>
        {
            if (h.Runspace is null)
            {
                return new HostSnapshot(h, h.Reason ?? FleetReasons.HostUnreachable, null, null, h.Message);
            }

            var call = byHost[h];
            var probe = call.Output.FirstOrDefault(o => o.Properties["DhtFleetProbe"] is not null);
            var status = probe?.Properties["DhtFleetProbe"]?.Value?.ToString();
            var moduleVersion = probe?.Properties["ModuleVersion"]?.Value?.ToString();
            var snapshot = call.Output.FirstOrDefault(o => o.Properties["FactsJson"] is not null);
            if (call.Failure is not null && probe is null)
            {
                // The session broke under the call: as unreachable as a host that never answered.
                return new HostSnapshot(h, call.Failure is System.Management.Automation.Remoting.PSRemotingTransportException ? FleetReasons.HostUnreachable : FleetReasons.RemoteCommandFailed,
                    null, null, call.Failure.Message);
            }

            return status switch
            {
                "ModuleNotInstalled" => new HostSnapshot(h, FleetReasons.ModuleNotInstalled, null, null, $"DockerHostTools is not installed on {h.HostName}."),
                "ModuleVersionDiffers" => new HostSnapshot(h, FleetReasons.ModuleVersionDiffers, moduleVersion, null,
                    $"{h.HostName} has DockerHostTools {moduleVersion}, this controller {version}: install the same version on the host to diagnose it."),
                "Ready" when snapshot is not null => new HostSnapshot(h, FleetReasons.Diagnosed, moduleVersion, snapshot, null),
                _ => new HostSnapshot(h, FleetReasons.RemoteCommandFailed, moduleVersion, null,
                    $"Reading {h.HostName} failed: " + call.FailureText("no snapshot came back")),
            };
        }).ToList();
    }

    /// <summary>Judges one host's snapshot with this module's checks and builds its result.</summary>
    public static DockerHostFleetResult Judge(HostSnapshot read, int[]? ports, bool includeInfo)
    {
        var status = read.Status switch
        {
            FleetReasons.Diagnosed => FleetHostStatus.Diagnosed,
            FleetReasons.HostUnreachable or FleetReasons.SessionNotOpened => FleetHostStatus.Unreachable,
            FleetReasons.ModuleNotInstalled => FleetHostStatus.ModuleNotInstalled,
            FleetReasons.ModuleVersionDiffers => FleetHostStatus.ModuleVersionDiffers,
            _ => FleetHostStatus.Failed,
        };
        HostFacts? facts = null;
        string? failure = read.Failure;
        if (status == FleetHostStatus.Diagnosed)
        {
            try
            {
                facts = FactsOf(read.Snapshot!);
            }
            catch (JsonException ex)
            {
                failure = $"The snapshot of {read.Host.HostName} could not be read: {ex.Message}";
            }

            if (facts is null)
            {
                status = FleetHostStatus.Failed;
            }
        }

        var result = new DockerHostFleetResult(read.Host.HostName, status, status == FleetHostStatus.Failed ? FleetReasons.RemoteCommandFailed : read.Status,
            failure ?? $"{read.Host.HostName} read and judged.")
        {
            ModuleVersion = read.ModuleVersion,
            Runspace = read.Host.Runspace,
        };
        if (facts is null)
        {
            return result;
        }

        var findings = DockerHostChecks.Evaluate(facts, ports).Where(f => includeInfo || f.Severity != FindingSeverity.Info).ToList();
        result.MachineName = facts.HostName;
        result.EngineVersion = facts.Docker.Version;
        result.FirewalldVersion = facts.Firewalld.Version;
        result.Errors = findings.Count(f => f.Severity == FindingSeverity.Error);
        result.Warnings = findings.Count(f => f.Severity == FindingSeverity.Warning);
        result.TopFinding = (findings.FirstOrDefault(f => f.Severity == FindingSeverity.Error) ?? findings.FirstOrDefault(f => f.Severity == FindingSeverity.Warning))?.Id;
        result.Findings = [.. findings.Select(f => FleetOrigin.Tag(f, read.Host.HostName, read.Host.Runspace!))];
        return result;
    }

    /// <summary>A deserialized snapshot's facts: its FactsJson survives remoting whole.</summary>
    internal static HostFacts? FactsOf(PSObject snapshot)
    {
        var value = snapshot.Properties["FactsJson"]?.Value;
        return (value is PSObject wrapped ? wrapped.BaseObject : value) is string json ? HostFacts.FromJson(json) : null;
    }
}
