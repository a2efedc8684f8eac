using DockerHostTools.Core.Diagnosis;

namespace DockerHostTools.Core.Tests.Diagnosis;

// Fixtures: Get-DockerHostNetState's FactsJson captured inside the lab Docker host (systemd 252, firewalld 1.3.3 with
// the nftables backend, docker.io 20.10.24, a registry container publishing 5000/tcp), one per injected fault.
public class DockerHostChecksTests
{
    private static HostFacts Load(string name) =>
        HostFacts.FromJson(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "facts", name + ".json")));

    private static IEnumerable<string> Ids(IReadOnlyList<Finding> f) => f.Select(x => $"{x.Severity} {x.Id} {x.Target}");

    [Fact]
    public void A_healthy_host_has_no_error_and_no_warning()
    {
        var facts = Load("05-healthy");
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts), f => f.Severity != FindingSeverity.Info);
        Assert.Equal("Running", facts.Firewalld.State);
        Assert.Single(facts.Docker.Ports);
    }

    [Fact]
    public void A_closed_port_is_a_warning_while_the_dnat_rule_exists()
    {
        var f = DockerHostChecks.Evaluate(Load("01-port-closed-not-persisted"));
        Assert.Equal(["Warning IpForwardNotPersisted net.ipv4.ip_forward", "Warning FirewalldPortClosed 5000/tcp"], Ids(f));
        var closed = f.Single(x => x.Id == FindingIds.FirewalldPortClosed);
        Assert.Contains("firewall-cmd --zone=public --add-port=5000/tcp --permanent", closed.Remedy);
        Assert.Contains(closed.Evidence, e => e.Contains("present", StringComparison.Ordinal));
    }

    [Fact]
    public void Forwarding_off_is_an_error()
    {
        var f = DockerHostChecks.Evaluate(Load("02-ip-forward-off"));
        Assert.Equal("Error IpForwardDisabled net.ipv4.ip_forward", Ids(f).First());
    }

    [Fact]
    public void A_deleted_dnat_rule_is_an_error_and_makes_the_closed_port_an_error_too()
    {
        var f = DockerHostChecks.Evaluate(Load("03-dnat-deleted"));
        Assert.Contains("Error DockerDnatMissing 5000/tcp", Ids(f));
        Assert.Contains("Error FirewalldPortClosed 5000/tcp", Ids(f));
        Assert.True(f.Single(x => x.Id == FindingIds.DockerDnatMissing).CanRepair);
    }

    [Fact]
    public void Firewalld_restarted_after_docker_is_told_with_both_start_times()
    {
        var f = DockerHostChecks.Evaluate(Load("04-firewalld-restarted-after-docker"));
        var after = f.Single(x => x.Id == FindingIds.FirewalldStartedAfterDocker);
        Assert.Equal(FindingSeverity.Warning, after.Severity); // dockerd put the DNAT rule back this time
        Assert.False(after.CanRepair);                         // so restarting the engine would only cost downtime
        Assert.Contains(after.Evidence, e => e.StartsWith("systemctl: firewalld active since", StringComparison.Ordinal));
        // What the lab showed: dockerd 20.10 re-added its rules after the restart, but not the isolation jump.
        Assert.Contains("Warning DockerChainMissing Nft:filter/DOCKER-ISOLATION-STAGE-2", Ids(f));
    }

    [Fact]
    public void Runtime_only_and_permanent_only_ports_are_drift()
    {
        var runtimeOnly = Assert.Single(DockerHostChecks.Evaluate(Load("07-port-runtime-only")));
        Assert.Equal(FindingIds.FirewalldRuntimePermanentDrift, runtimeOnly.Id);
        Assert.Contains("at runtime only", runtimeOnly.Message);
        var permanentOnly = Assert.Single(DockerHostChecks.Evaluate(Load("06-port-permanent-only")));
        Assert.Equal(FindingIds.FirewalldRuntimePermanentDrift, permanentOnly.Id);
        Assert.Contains("only in the permanent configuration", permanentOnly.Message);
    }

    [Fact]
    public void A_stopped_container_is_found_when_its_port_is_asked_for()
    {
        var facts = Load("08-container-stopped");
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts), x => x.Severity == FindingSeverity.Error);
        var f = DockerHostChecks.Evaluate(facts, [5000]).Single(x => x.Id == FindingIds.ContainerNotRunning);
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Equal("5000/tcp", f.Target);
        Assert.Contains(f.Evidence, e => e.Contains("dkreg", StringComparison.Ordinal));
    }

    [Fact]
    public void A_hardening_file_that_wins_is_a_warning()
    {
        var f = DockerHostChecks.Evaluate(Load("09-hardening-override"));
        var o = f.Single(x => x.Id == FindingIds.IpForwardOverridden);
        Assert.Equal(FindingSeverity.Warning, o.Severity);
        Assert.Contains("/etc/sysctl.d/99-zzz-cis.conf:1", o.Message);
    }

    [Fact]
    public void An_unconditional_drop_in_docker_user_is_an_error_that_is_not_repaired_automatically()
    {
        var f = DockerHostChecks.Evaluate(Load("10-docker-user-drop")).Single(x => x.Id == FindingIds.DockerUserDrop);
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.False(f.CanRepair);
        Assert.Contains("iptables -D DOCKER-USER -j DROP", f.Remedy);
    }

    [Fact]
    public void Facts_round_trip_through_json()
    {
        var facts = Load("03-dnat-deleted");
        var again = HostFacts.FromJson(facts.ToJson());
        Assert.Equal(Ids(DockerHostChecks.Evaluate(facts)), Ids(DockerHostChecks.Evaluate(again)));
    }

    [Fact]
    public void Docker_down_is_an_error()
    {
        var facts = Load("05-healthy");
        var down = HostFacts.FromJson(facts.ToJson().Replace("\"EngineReachable\":true", "\"EngineReachable\":false", StringComparison.Ordinal)
            .Replace("\"EngineError\":null", "\"EngineError\":\"connect: no such file\"", StringComparison.Ordinal));
        Assert.Contains("Error DockerServiceDown docker.service", Ids(DockerHostChecks.Evaluate(down)));
    }
}
