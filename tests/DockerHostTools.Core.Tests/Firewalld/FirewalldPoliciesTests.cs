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

    private static readonly string[] D28Policies =
        ["allow-host-ipv6", "docker-forwarding", "gateway-dmz-to-HOST", "gateway-lan-to-HOST", "gateway-lan-to-work", "gateway-lan-to-world", "gateway-world-to-HOST"];

    private static CapturedBus D28Bus()
    {
        var bus = new CapturedBus();
        bus.Add($"{Bus} {Main} {Bus}.policy.getPolicies", D28 + "runtime-getPolicies");
        foreach (var p in D28Policies)
        {
            bus.Add($"{Bus} {Main} {Bus}.policy.getPolicySettings \"{p}\"", D28 + "runtime-getPolicySettings-" + p);
        }

        return bus;
    }

    private static void AssertSamePolicies(IReadOnlyList<FirewalldPolicy> expected, IReadOnlyList<FirewalldPolicy>? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Select(p => p.ToString()), actual.Select(p => p.ToString()));
        Assert.Equal(expected.Select(p => p.Priority), actual.Select(p => p.Priority));
    }

    private static IReadOnlyList<FirewalldPolicy> D28Listing() => FirewalldPolicies.ParseListing(Fx.Out("2.5.2-docker28-handler-list-all-policies"));

    [Fact]
    public void Firewall_cmd_lists_every_policy_of_docker28()
    {
        var all = D28Listing();
        Assert.Equal(D28Policies, all.Select(p => p.Name));
        AssertDockerForwarding(all.Single(p => p.Name == "docker-forwarding"));
        var host = all.Single(p => p.Name == "allow-host-ipv6");
        Assert.Equal(("CONTINUE", -15000), (host.Target, host.Priority));
        Assert.Equal(["HOST"], host.EgressZones);
    }

    [Fact]
    public async Task In_process_reads_every_policy_concurrently_after_the_list_as_firewall_cmd_lists_them()
    {
        var bus = D28Bus();
        var (policies, error) = await FirewalldPolicies.ReadAsync(bus);
        Assert.Null(error);
        AssertSamePolicies(D28Listing(), policies);
        Assert.Equal(1 + D28Policies.Length, bus.Calls.Count);
        Assert.All(bus.Calls, c => Assert.Equal(TimeSpan.FromSeconds(5), c.Timeout));

        var broken = D28Bus();
        broken.Fail($"{Bus} {Main} {Bus}.policy.getPolicySettings \"gateway-lan-to-work\"", "org.fedoraproject.FirewallD1.Exception");
        var failed = await FirewalldPolicies.ReadAsync(broken);
        Assert.Null(failed.Policies);
        Assert.NotNull(failed.Error);
    }

    [Fact]
    public async Task Busctl_and_firewall_cmd_roads_read_the_same_policies_where_there_is_no_bus_in_process()
    {
        var map = new Dictionary<string, string>
        {
            ["busctl --system --auto-start=no --json=short call org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1.policy getPolicies"] = D28 + "runtime-getPolicies",
            ["--list-all-policies"] = "2.5.2-docker28-handler-list-all-policies",
        };
        foreach (var p in D28Policies)
        {
            map[$"busctl --system --auto-start=no --json=short call org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1.policy getPolicySettings s {p}"] = D28 + "runtime-getPolicySettings-" + p;
        }

        var viaBusctl = new CapturedRunner(map);
        AssertSamePolicies(D28Listing(), (await FirewalldPolicies.ReadHostAsync(viaBusctl)).Policies);
        Assert.DoesNotContain("--list-all-policies", viaBusctl.Calls);
        Assert.All(viaBusctl.Calls, c => Assert.StartsWith("busctl ", c, StringComparison.Ordinal));

        var noBusctl = new CapturedRunner(new() { ["--list-all-policies"] = "2.5.2-docker28-handler-list-all-policies" });
        AssertSamePolicies(D28Listing(), (await FirewalldPolicies.ReadHostAsync(noBusctl)).Policies);
        Assert.Equal(["--list-all-policies"], noBusctl.Calls);

        var gone = new BusRunner(new CapturedRunner(map), new CapturedBus { Unavailable = true });
        AssertSamePolicies(D28Listing(), (await FirewalldPolicies.ReadHostAsync(gone)).Policies);
    }

    [Fact]
    public async Task Bookworm_s_firewalld_1_3_has_only_its_own_policy()
    {
        const string Bw = "../busctl/252-firewalld-1.3.3-bookworm-policies/";
        var bus = new CapturedBus();
        bus.Add($"{Bus} {Main} {Bus}.policy.getPolicies", Bw + "runtime-getPolicies");
        bus.Add($"{Bus} {Main} {Bus}.policy.getPolicySettings \"allow-host-ipv6\"", Bw + "runtime-getPolicySettings-allow-host-ipv6");
        var (policies, error) = await FirewalldPolicies.ReadAsync(bus);
        Assert.Null(error);
        AssertSamePolicies(FirewalldPolicies.ParseListing(Fx.Out("1.3.3-bookworm-healthy-list-all-policies")), policies);
        Assert.Equal("allow-host-ipv6", Assert.Single(policies!).Name);
    }

    [Fact]
    public void A_stopped_firewalld_keeps_no_policies()
    {
        IReadOnlyList<FirewalldPolicy> one = [new FirewalldPolicy("p", "ACCEPT", ["ANY"], ["docker"], null)];
        Assert.Null(FirewalldPolicies.Apply(new FirewalldState(FirewalldRunState.NotRunning, "not running"), one).Policies);
        Assert.Same(one, FirewalldPolicies.Apply(new FirewalldState(FirewalldRunState.Running, "running"), one).Policies);
    }
}
