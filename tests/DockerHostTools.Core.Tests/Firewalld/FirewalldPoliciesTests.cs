using System.Runtime.Versioning;
using DockerHostTools.Core.Firewalld;
using Xunit;

namespace DockerHostTools.Core.Tests.Firewalld;

// firewalld's policies as the lab's machines answered: firewall-cmd --info-policy (Fixtures/firewall-cmd) and busctl
// --json=short (Fixtures/busctl/*-policies); the in-process road is given busctl's capture as plain values.
[SupportedOSPlatform("linux")]
public class FirewalldPoliciesTests
{
    private const string Bus = "org.fedoraproject.FirewallD1";
    private const string Main = "/org/fedoraproject/FirewallD1";
    private const string D28 = "../busctl/257-firewalld-2.5.2-docker28-policies/";

    private static void AssertDockerForwarding(FirewalldPolicy? p)
    {
        Assert.NotNull(p);
        Assert.Equal("docker-forwarding", p.Name);
        Assert.Equal("ACCEPT", p.Target);
        Assert.Equal(["ANY"], p.IngressZones);
        Assert.Equal(["docker"], p.EgressZones);
        Assert.Equal(-1, p.Priority);
    }

    [Fact]
    public void Firewall_cmd_shows_the_policy_docker_28_made() =>
        AssertDockerForwarding(Assert.Single(FirewalldPolicies.ParseListing(Fx.Out("2.5.2-docker28-handler-healthy-info-policy-docker-forwarding"))));

    [Theory]
    [InlineData("1.3.3-bookworm-healthy-info-policy-docker-forwarding")]
    [InlineData("2.3.1-trixie-healthy-info-policy-docker-forwarding")]
    [InlineData("2.5.2-docker28-healthy-info-policy-docker-forwarding")] // 28.5 that started before firewalld was ready made none
    public void Docker_20_10_and_26_1_and_a_dockerd_without_firewalld_make_no_policy_and_firewalld_says_invalid_policy(string fixture)
    {
        Assert.NotEqual(0, Fx.Exit(fixture));
        Assert.Contains("INVALID_POLICY", Fx.Err(fixture) + Fx.Out(fixture), StringComparison.Ordinal);
        Assert.Empty(FirewalldPolicies.ParseListing(Fx.Out(fixture)));
    }

    [Fact]
    public void Busctl_and_in_process_dbus_read_the_same_policy()
    {
        var fixture = D28 + "runtime-getPolicySettings-docker-forwarding";
        var viaBusctl = FirewalldPolicies.ParseBusctlSettings("docker-forwarding", Fx.Exit(fixture), Fx.Out(fixture));
        AssertDockerForwarding(viaBusctl);
        var bus = new CapturedBus();
        var key = $"{Bus} {Main} {Bus}.policy.getPolicySettings \"docker-forwarding\"";
        bus.Add(key, fixture);
        var dict = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(bus.Reply(key)[0]);
        AssertDockerForwarding(FirewalldPolicies.FromSettings("docker-forwarding", dict));
    }

    [Fact]
    public void Busctl_failures_read_as_no_policy()
    {
        var fixture = "../busctl/252-firewalld-1.3.3-bookworm-policies/runtime-getPolicySettings-docker-forwarding";
        Assert.Equal(1, Fx.Exit(fixture));
        Assert.Null(FirewalldPolicies.ParseBusctlSettings("docker-forwarding", Fx.Exit(fixture), Fx.Out(fixture)));
        Assert.Null(FirewalldPolicies.ParseBusctlSettings("x", 0, "not json"));
        Assert.Null(FirewalldPolicies.ParseBusctlSettings("x", 0, "{\"type\":\"as\",\"data\":[[\"a\"]]}"));
    }

    [Theory]
    [InlineData("org.freedesktop.DBus.Error.UnknownMethod", false)]      // firewalld before 0.9: no policies, not an error
    [InlineData("org.freedesktop.DBus.Error.ServiceUnknown", false)]     // firewalld not on the bus: its state says so
    [InlineData("org.fedoraproject.FirewallD1.Exception", true)]
    public async Task In_process_errors_are_classified(string errorName, bool reported)
    {
        var bus = new CapturedBus();
        bus.Fail($"{Bus} {Main} {Bus}.policy.getPolicies", errorName);
        var (policies, error) = await FirewalldPolicies.ReadAsync(bus);
        Assert.Null(policies);
        Assert.Equal(reported, error is not null);
    }

    [Fact]
    public async Task In_process_reads_every_policy_concurrently_after_the_list()
    {
        var bus = new CapturedBus();
        bus.Add($"{Bus} {Main} {Bus}.policy.getPolicies", "../busctl/252-firewalld-1.3.3-bookworm-policies/runtime-getPolicies");
        var missing = await FirewalldPolicies.ReadAsync(bus); // allow-host-ipv6's settings are not given: a failed call is reported
        Assert.Null(missing.Policies);
        Assert.Contains("allow-host-ipv6", missing.Error, StringComparison.Ordinal);

        var d28 = new CapturedBus();
        d28.AddValues($"{Bus} {Main} {Bus}.policy.getPolicies", new object?[] { new object?[] { "docker-forwarding" } });
        d28.Add($"{Bus} {Main} {Bus}.policy.getPolicySettings \"docker-forwarding\"", D28 + "runtime-getPolicySettings-docker-forwarding");
        var (policies, error) = await FirewalldPolicies.ReadAsync(d28);
        Assert.Null(error);
        AssertDockerForwarding(Assert.Single(policies!));
        Assert.All(d28.Calls, c => Assert.Equal(TimeSpan.FromSeconds(5), c.Timeout));
    }

    [Fact]
    public void A_stopped_firewalld_keeps_no_policies()
    {
        IReadOnlyList<FirewalldPolicy> one = [new FirewalldPolicy("p", "ACCEPT", ["ANY"], ["docker"], null)];
        Assert.Null(FirewalldPolicies.Apply(new FirewalldState(FirewalldRunState.NotRunning, "not running"), one).Policies);
        Assert.Same(one, FirewalldPolicies.Apply(new FirewalldState(FirewalldRunState.Running, "running"), one).Policies);
    }
}
