using DockerHostTools.Core.Iptables;
using System.Text.Json;
using DockerHostTools.Core.Docker;
using Xunit;

namespace DockerHostTools.Core.Tests.Docker;

public sealed class DockerEngineParserTests
{
    private static JsonElement Json(string name) => JsonDocument.Parse(Fixture.Read("docker-api", name)).RootElement;

    [Fact]
    public void Version_of_docker_io_20_10_speaks_api_1_41()
    {
        var v = DockerEngineParser.ParseVersion(Json("version-20.10.24.json"));

        Assert.Equal("20.10.24+dfsg1", v.Version);
        Assert.Equal("1.41", v.ApiVersion);
        Assert.Equal("1.12", v.MinApiVersion);
        Assert.Equal(20, v.Major);
    }

    [Theory]
    [InlineData("1.41", "1.12", "1.41")]
    [InlineData("1.52", "1.24", "1.51")]
    [InlineData("1.51", "1.24", "1.51")]
    [InlineData(null, null, "1.51")]
    [InlineData("garbage", null, "1.51")]
    public void Api_version_is_the_engines_capped_at_ours(string? server, string? min, string expected)
    {
        Assert.Equal(expected, DockerEngineClient.Negotiate(server, min));
    }

    [Fact]
    public void Info_of_20_10_has_forwarding_and_no_firewall_backend()
    {
        var info = DockerEngineParser.ParseInfo(Json("info-20.10.24.json"));

        Assert.Equal("20.10.24+dfsg1", info.ServerVersion);
        Assert.True(info.IPv4Forwarding);
        Assert.Null(info.FirewallBackend);
        Assert.Null(info.FirewallReloadedAt);
        Assert.Equal(1, info.ContainersRunning);
    }

    [Fact]
    public void Info_firewall_backend_of_api_1_48_is_read_when_present()
    {
        // The FirewallBackend object as the Engine API 1.48 reference documents it (no 28.x engine in this lab).
        var doc = JsonDocument.Parse("""{"ServerVersion":"28.2.2","FirewallBackend":{"Driver":"iptables+firewalld","Info":[["ReloadedAt","2025-01-01T10:00:00.1234Z"]]}}""");
        var info = DockerEngineParser.ParseInfo(doc.RootElement);

        Assert.Equal("iptables+firewalld", info.FirewallBackend);
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_000), info.FirewallReloadedAt);
    }

    [Fact]
    public void Containers_list_reads_names_ports_and_network_addresses()
    {
        var c = DockerEngineParser.ParseContainers(Json("containers-20.10.24.json")).Single();

        Assert.Equal("dkreg", c.Name);
        Assert.Equal("dkregistry:local", c.Image);
        Assert.Equal("running", c.State);
        Assert.Equal(64, c.Id.Length);
        Assert.Equal(["0.0.0.0", "::"], c.Ports.Select(p => p.IP));
        Assert.All(c.Ports, p => Assert.Equal((5000, 5000, "tcp"), (p.PublicPort!.Value, p.PrivatePort, p.Type)));
        Assert.Equal("192.0.2.2", c.Networks["bridge"]);
    }

    [Fact]
    public void Inspect_reads_restart_policy_and_state()
    {
        var d = DockerEngineParser.ParseInspect(Json("container-inspect-20.10.24-dkreg.json"));

        Assert.Equal("dkreg", d.Name);
        Assert.Equal("no", d.RestartPolicy);
        Assert.False(d.ComesBackAfterEngineRestart);
        Assert.True(d.Running);
        Assert.Equal("192.0.2.2", d.Networks["bridge"]);
    }

    [Fact]
    public void Unexpected_shapes_give_empty_values_not_exceptions()
    {
        Assert.Empty(DockerEngineParser.ParseContainers(JsonDocument.Parse("{}").RootElement));
        var c = DockerEngineParser.ParseContainers(JsonDocument.Parse("""[{"Id":"x","Ports":[{"PrivatePort":80,"Type":"tcp"}]}]""").RootElement).Single();
        Assert.Null(c.Ports.Single().PublicPort);
        Assert.Equal(string.Empty, c.Name);
        Assert.Null(DockerEngineParser.ParseInfo(JsonDocument.Parse("[]").RootElement).ServerVersion);
    }
}

public sealed class DockerStoppedContainerTests
{
    private static JsonElement Json(string name) => JsonDocument.Parse(Fixture.Read("docker-api", name)).RootElement;

    [Fact]
    public void An_exited_container_lists_no_ports_and_no_address_but_inspect_has_its_bindings()
    {
        var c = DockerEngineParser.ParseContainers(Json("containers-20.10.24-dkreg-exited.json")).Single();
        var d = DockerEngineParser.ParseInspect(Json("container-inspect-20.10.24-dkreg-exited.json"));

        Assert.Equal("exited", c.State);
        Assert.Empty(c.Ports);
        Assert.Equal(string.Empty, c.Networks["bridge"]);
        Assert.False(d.Running);
        var b = d.PortBindings.Single();
        Assert.Equal(("0.0.0.0", 5000, 5000, "tcp"), (b.IP, b.PublicPort!.Value, b.PrivatePort, b.Type));
    }

    [Fact]
    public void The_published_port_of_an_exited_container_shows_with_no_rule_even_when_another_rule_has_the_port()
    {
        var c = DockerEngineParser.ParseContainers(Json("containers-20.10.24-dkreg-exited.json")).Single();
        var d = DockerEngineParser.ParseInspect(Json("container-inspect-20.10.24-dkreg-exited.json"));
        var withBindings = new DockerContainer(c.Id, c.Name, c.Image, c.State, c.Status, d.PortBindings, c.Networks);
        // The rules of the running registry, captured before it was stopped: they must not count for the exited one.
        var snapshot = new IptablesSnapshot([new IptablesSave("iptables-nft-save", IptablesVariant.Nft,
            IptablesSaveParser.Parse(Fixture.Read("iptables", "iptables-nft-save-1.8.9-docker-20.10.txt"), IptablesVariant.Nft), false)], IptablesVariant.Nft);

        var p = DockerPublishedPorts.Build([withBindings], snapshot, []).Single();

        Assert.Equal(("dkreg", "exited", 5000), (p.ContainerName, p.ContainerState, p.Port));
        Assert.Null(p.ContainerIp);
        Assert.False(p.DnatRulePresent);
        Assert.False(p.ForwardAccepted);
    }
}
