using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Iptables;

namespace DockerHostTools.Core.Tests.Docker;

// The daemon's settings from a saved /proc and daemon.json (real files in a temporary tree), the engine's location from
// the /info shapes of Fixtures/engine-location (hand-typed, named so in its README), nft's JSON of Fixtures/nft-docker29.
public class DaemonSettingsReaderTests
{
    [Fact]
    public void The_command_line_and_daemon_json_give_each_setting_and_its_source()
    {
        var s = DaemonSettingsReader.Parse(["/usr/sbin/dockerd", "-H", "fd://", "--userland-proxy=false", "--ip-forward-no-drop", "--firewall-backend", "nftables"],
            "/etc/docker/daemon.json", """{ "iptables": false, "ip6tables": true, "allow-direct-routing": true, "ip-forward": false }""", null);
        Assert.Equal((false, true, false, true, false, true), (s.Iptables, s.Ip6tables, s.IpForward, s.IpForwardNoDrop, s.UserlandProxy, s.AllowDirectRouting));
        Assert.Equal("nftables", s.FirewallBackend);
        Assert.Contains("dockerd command line: --userland-proxy=false", s.Sources);
        Assert.Contains("/etc/docker/daemon.json: \"iptables\": false", s.Sources);
        Assert.False(s.IptablesOn);
        Assert.False(s.UserlandProxyOn);
    }

    [Fact]
    public void Nothing_set_means_the_defaults_and_bad_json_is_a_config_error_not_an_exception()
    {
        var none = DaemonSettingsReader.Parse(["dockerd"], "/etc/docker/daemon.json", null, null);
        Assert.True(none.IptablesOn && none.IpForwardOn && none.UserlandProxyOn);
        Assert.Equal("iptables", none.Backend);
        Assert.Null(none.ConfigError);
        var bad = DaemonSettingsReader.Parse(["dockerd"], "/etc/docker/daemon.json", "{ \"iptables\": ", null);
        Assert.Contains("is not valid JSON", bad.ConfigError, StringComparison.Ordinal);
        Assert.True(bad.IptablesOn);
        Assert.Contains("not a JSON object", DaemonSettingsReader.Parse(["dockerd"], "/x.json", "[1]", null).ConfigError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--iptables", true)]
    [InlineData("--iptables=false", false)]
    [InlineData("--iptables=0", false)]
    [InlineData("--iptables=true", true)]
    [InlineData("--iptablesx=false", null)]
    public void Go_boolean_flags(string arg, bool? expected) => Assert.Equal(expected, DaemonSettingsReader.BoolFlag(["dockerd", arg], "--iptables"));

    private static HostTree Proc(HostTree t, int pid, int ppid, string comm, string[] cmdline, int uid = 0) => t
        .File($"/proc/{pid}/comm", comm + "\n")
        .File($"/proc/{pid}/cmdline", string.Join('\0', cmdline) + "\0")
        .File($"/proc/{pid}/stat", $"{pid} ({comm}) S {ppid} {pid} {pid} 0 -1")
        .File($"/proc/{pid}/status", $"Name:\t{comm}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n");

    [Fact]
    public void The_running_dockerd_is_found_in_proc_with_its_config_file()
    {
        using var t = new HostTree();
        Proc(t, 1, 0, "systemd", ["/sbin/init"]);
        Proc(t, 812, 1, "dockerd", ["/usr/sbin/dockerd", "-H", "fd://", "--config-file", "/etc/docker/nb.json"]);
        t.File("/etc/docker/nb.json", """{"userland-proxy": false}""").File("/etc/docker/daemon.json", """{"iptables": false}""");
        var found = DaemonSettingsReader.FindDockerd(t.Fs, CancellationToken.None);
        var p = Assert.Single(found);
        Assert.Null(p.RootlessKit);
        var s = DaemonSettingsReader.Read(t.Fs, DaemonSettingsReader.Pick(found, "/run/docker.sock"), CancellationToken.None);
        Assert.True(s.ProcessFound);
        Assert.Equal(812, s.ProcessId);
        Assert.Equal("/etc/docker/nb.json", s.ConfigFile);
        Assert.False(s.UserlandProxy);
        Assert.Null(s.Iptables); // /etc/docker/daemon.json is not the file this dockerd reads
    }

    [Fact]
    public void A_rootless_dockerd_under_rootlesskit_is_told_with_its_port_driver()
    {
        using var t = new HostTree();
        t.File("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnbrootless:x:1001:1001::/home/nbrootless:/bin/sh\n")
            .File("/home/nbrootless/.config/docker/daemon.json", """{"userland-proxy": false}""");
        Proc(t, 900, 1, "rootlesskit", ["rootlesskit", "--net=slirp4netns", "--port-driver=slirp4netns", "dockerd-rootless.sh"], 1001);
        Proc(t, 910, 900, "exe", ["/proc/self/exe", "--net=slirp4netns"], 1001);
        Proc(t, 920, 910, "dockerd", ["dockerd"], 1001);
        var found = DaemonSettingsReader.FindDockerd(t.Fs, CancellationToken.None);
        var p = DaemonSettingsReader.Pick(found, "/run/user/1001/docker.sock");
        Assert.NotNull(p?.RootlessKit);
        Assert.Equal(1001, p!.Uid);
        Assert.False(DaemonSettingsReader.Read(t.Fs, p, CancellationToken.None).UserlandProxy);
        var at = DaemonSettingsReader.Locate(t.Fs, "/run/user/1001/docker.sock", null, p, null, null, null);
        Assert.Equal(EngineLocation.Rootless, at.Location);
        Assert.Equal("slirp4netns", at.RootlessPortDriver);
    }

    private static DockerEngineInfo Info(string name)
    {
        using var doc = JsonDocument.Parse(Fixture.Read("engine-location", name));
        return DockerEngineParser.ParseInfo(doc.RootElement);
    }

    [Fact]
    public void Info_shapes_tell_a_rootless_engine_and_docker_desktop()
    {
        using var t = new HostTree();
        var rootless = Info("info-rootless-shape.json");
        Assert.Contains("name=rootless", rootless.SecurityOptions);
        Assert.Equal(EngineLocation.Rootless, DaemonSettingsReader.Locate(t.Fs, "/run/docker.sock", rootless, null, null, null, null).Location);
        var desktop = DaemonSettingsReader.Locate(t.Fs, "/run/docker.sock", Info("info-docker-desktop-shape.json"), null, null, null, null);
        Assert.Equal(EngineLocation.DockerDesktop, desktop.Location);
        Assert.Contains("Engine /info: OperatingSystem Docker Desktop", desktop.Evidence);
        Assert.Equal(EngineLocation.Local, DaemonSettingsReader.Locate(t.Fs, "/run/docker.sock", Info("info-rootless-shape.json") is var i
            ? new DockerEngineInfo("28.5.2", true, null, 0, "iptables", null, null, []) : i, null, null, null, null).Location);
    }

    [Fact]
    public void A_context_or_docker_host_elsewhere_is_told_when_no_engine_answers_here()
    {
        using var t = new HostTree();
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("desktop-linux")));
        t.File("/home/nbuser/.docker/config.json", """{"auths":{},"currentContext":"desktop-linux"}""")
            .File($"/home/nbuser/.docker/contexts/meta/{digest}/meta.json", Fixture.Read("engine-location", "context-meta-desktop-linux.json"));
        var home = "/home/nbuser";
        var desktop = DaemonSettingsReader.Locate(t.Fs, "/run/docker.sock", null, null, null, null, home);
        Assert.Equal(EngineLocation.DockerDesktop, desktop.Location);
        Assert.Equal("desktop-linux", desktop.Context);
        var remote = DaemonSettingsReader.Locate(t.Fs, "/run/docker.sock", null, null, "ssh://nb@198.51.100.20", null, home);
        Assert.Equal(EngineLocation.Remote, remote.Location);
        Assert.Equal(EngineLocation.Local, DaemonSettingsReader.Locate(t.Fs, "/run/docker.sock", null, null, "unix:///run/docker.sock", null, home).Location);
        Assert.Equal(EngineLocation.Local, DaemonSettingsReader.Classify("tcp://127.0.0.1:2375"));
        // A local engine that answers is judged as usual; the context elsewhere is only noted.
        var local = DaemonSettingsReader.Locate(t.Fs, "/run/docker.sock", new DockerEngineInfo("28.5.2", true, null, 0, null, null, null, []), null, "tcp://198.51.100.20:2376", null, home);
        Assert.Equal(EngineLocation.Local, local.Location);
        Assert.Contains(local.Evidence, e => e.StartsWith("note: the Docker CLI talks to tcp://198.51.100.20:2376", StringComparison.Ordinal));
    }

    [Fact]
    public void Nft_json_of_the_moby_document_gives_its_dnat_accept_and_base_chains()
    {
        var table = NftablesDocker.Parse(Fixture.Read("nft-docker29", "nft-j-list-table-ip-docker-bridges-1.0.6-moby-usernet-portmap.json"), "ip");
        Assert.True(table.Exists);
        var dnat = Assert.Single(table.DnatRules);
        Assert.Equal(new NftDnatRule("ip", "nat-prerouting-and-output", "tcp", null, 8080, "192.0.2.2", 80, "bridge1"), dnat);
        Assert.Equal(new NftForwardAccept("ip", "filter-forward-in__bridge1", "192.0.2.2", "tcp", 80), Assert.Single(table.ForwardAccepts));
        Assert.Contains(new NftBaseChain("filter-FORWARD", "forward", "accept"), table.BaseChains);
        Assert.Equal(5, table.BaseChains.Count);
        Assert.Empty(NftablesDocker.Parse(Fixture.Read("nft-docker29", "nft-j-list-table-ip-docker-bridges-1.0.6-moby-usernet-portmap-dnat-deleted.json"), "ip").DnatRules);
        Assert.False(NftablesDocker.Parse(Fixture.Read("nft-docker29", "nft-j-list-table-ip-docker-bridges-1.0.6-moby-usernet-portmap.json"), "ip6").Exists);
        Assert.Contains("No such file or directory", Fixture.Read("nft-docker29", "nft-j-list-table-ip6-docker-bridges-1.0.6-missing.stderr.txt"), StringComparison.Ordinal);
        Assert.Throws<JsonException>(() => NftablesDocker.Parse("{\"x\":1}", "ip"));
        Assert.ThrowsAny<JsonException>(() => NftablesDocker.Parse("not json", "ip"));
    }

    [Fact]
    public void Swarm_ingress_rules_and_services_parse_from_the_named_fixtures()
    {
        var rules = DockerIngress.Rules(IptablesSaveParser.Parse(Fixture.Read("swarm", "iptables-save-moby-swarm-portmap.txt"), IptablesVariant.Nft));
        Assert.Equal(new DockerIngressRule(IptablesVariant.Nft, "tcp", 8080, "172.18.0.2:8080", true), Assert.Single(rules));
        using var doc = JsonDocument.Parse(Fixture.Read("swarm", "services-api-shape.json"));
        var svc = Assert.Single(DockerEngineExtras.ParseServices(doc.RootElement));
        Assert.Equal(("web", "busybox:latest", 2), (svc.Name, svc.Image, svc.Ports.Count));
        Assert.Equal(new DockerServicePort("tcp", 80, 8080, "ingress"), svc.Ports[0]);
        using var bad = JsonDocument.Parse("""{"message":"This node is not a swarm manager."}""");
        Assert.Empty(DockerEngineExtras.ParseServices(bad.RootElement));
    }

    [Fact]
    public void A_real_docker28_swarm_whose_routing_mesh_did_not_come_up_shows_its_service_port_without_ingress_rules()
    {
        using var doc = JsonDocument.Parse(Fixture.Read("swarm", "services-28.5.2-docker28.json"));
        var svc = Assert.Single(DockerEngineExtras.ParseServices(doc.RootElement));
        Assert.Equal(("nbweb", "dkregistry:local"), (svc.Name, svc.Image));
        Assert.Equal(new DockerServicePort("tcp", 5000, 8080, "ingress"), Assert.Single(svc.Ports));
        var ruleset = IptablesSaveParser.Parse(Fixture.Read("swarm", "iptables-save-1.8.11-docker28-swarm-no-ingress.txt"), IptablesVariant.Nft);
        Assert.False(DockerIngress.NatChainReached(ruleset));
        var ipt = new IptablesSnapshot([new IptablesSave("iptables-nft-save", IptablesVariant.Nft, ruleset, false)], IptablesVariant.Nft);
        var port = Assert.Single(DockerPublishedPorts.BuildServices([svc], ipt, []));
        Assert.Equal(("nbweb", 8080, false, "iptables nat/DOCKER-INGRESS"), (port.ServiceName, port.Port, port.DnatRulePresent, port.RuleSource));
    }

    [Fact]
    public void Networks_give_their_bridge_and_gateway_modes()
    {
        using var doc = JsonDocument.Parse("""
            [{"Name":"bridge","Id":"aaaaaaaaaaaaaaaa","Driver":"bridge","Options":{}},
             {"Name":"r1","Id":"0123456789abcdef","Driver":"bridge","Options":{"com.docker.network.bridge.gateway_mode_ipv4":"routed"}},
             {"Name":"host","Id":"h","Driver":"host"}]
            """);
        var n = DockerEngineExtras.ParseNetworks(doc.RootElement);
        Assert.Equal(("docker0", "nat"), (n[0].Bridge, n[0].GatewayModeIPv4));
        Assert.Equal(("br-0123456789ab", "routed", "nat"), (n[1].Bridge, n[1].GatewayModeIPv4, n[1].GatewayModeIPv6));
        Assert.Null(n[2].Bridge);
    }
}
