using DockerHostTools.Core.Trace;
using Xunit;

namespace DockerHostTools.Core.Tests.Trace;

// Fixtures/nft-trace/GEN-CASE.txt: `nft -a monitor trace` captured on the lab's machines (bookworm: nft 1.0.6, trixie and
// docker28: nft 1.1.3; GEN-version.txt) while the outside client 198.51.100.2 ran curl http://198.51.100.10:5000/v2/ with
// the module's trace table armed; GEN-chains.json is `nft -j list chains` of the same machine. *.minus-j.txt is
// `nft -j monitor trace` of the same kind of run: text, not JSON, on both nft versions.
public class NftTraceParserTests
{
    private static TracedPacket One(string gen, string kind)
    {
        var hooks = NftTraceParser.ParseChainHooks(Fixture.Read("nft-trace", $"{gen}-chains.json"));
        var packets = NftTraceParser.Parse(Fixture.Read("nft-trace", $"{gen}-{kind}.txt").Split('\n'), 5000, "tcp", hooks);
        Assert.Single(packets);
        var p = packets[0];
        Assert.Equal("198.51.100.2", p.Source);
        Assert.Equal("198.51.100.10", p.Destination);
        Assert.NotNull(p.SourcePort);
        Assert.DoesNotContain(p.Path, s => s.Table == TraceTable.Name);
        return p;
    }

    public static TheoryData<string> Generations => new() { "bookworm", "trixie", "docker28" };

    [Theory, MemberData(nameof(Generations))]
    public void Healthy_is_delivered_through_the_dnat_and_forward(string gen)
    {
        var p = One(gen, "healthy");
        Assert.Equal(TraceOutcome.Delivered, p.Outcome);
        Assert.Equal("192.0.2.2:5000", p.TranslatedTo);
        Assert.Equal("docker0", p.OutInterface);
        Assert.Contains(p.Path, s => s.Table == "nat" && s.Chain == "DOCKER" && s.Rule.Contains("dnat to 192.0.2.2:5000", StringComparison.Ordinal) && s.Handle is not null);
        Assert.Equal(TraceHook.Forward, p.DecidingStep!.Hook);
        Assert.Equal("accept", p.DecidingStep.Verdict);
    }

    [Theory, MemberData(nameof(Generations))]
    public void Forwarding_off_is_not_forwarded_after_the_dnat(string gen)
    {
        var p = One(gen, "ipforward0");
        Assert.Equal(TraceOutcome.NotForwarded, p.Outcome);
        Assert.Equal("DOCKER", p.DecidingStep!.Chain);
        Assert.Equal(TraceRuleOwner.Docker, p.Owner);
        Assert.DoesNotContain(p.Path, s => s.Hook == TraceHook.Forward);
        Assert.Contains("never reached FORWARD", p.Reason, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Generations))]
    public void A_drop_in_docker_user_is_dropped_by_that_rule(string gen)
    {
        var p = One(gen, "dockeruser-drop");
        Assert.Equal(TraceOutcome.DroppedByRule, p.Outcome);
        Assert.Equal(TraceRuleOwner.DockerUser, p.Owner);
        Assert.Equal("DOCKER-USER", p.DecidingStep!.Chain);
        Assert.Equal("tcp dport 5000 drop", TraceClassifier.ShortRule(p.DecidingStep.Rule));
        Assert.Contains("DOCKER-USER", p.Reason, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Generations))]
    public void Forward_policy_drop_without_dockers_accept_is_dropped(string gen)
    {
        var p = One(gen, "forward-drop-noaccept");
        Assert.Equal(TraceOutcome.DroppedByRule, p.Outcome);
        Assert.Equal(TraceHook.Forward, p.DecidingStep!.Hook);
        if (gen == "docker28")
        {
            // Docker 28 ends its DOCKER chain with its own drop for the bridge: that rule decides before the policy.
            Assert.Equal(TraceRuleOwner.Docker, p.Owner);
            Assert.Equal("iifname != \"docker0\" oifname \"docker0\" drop", TraceClassifier.ShortRule(p.DecidingStep.Rule));
        }
        else
        {
            Assert.True(p.DecidingStep.IsPolicy);
            Assert.Equal("FORWARD", p.DecidingStep.Chain);
            Assert.Equal(TraceRuleOwner.Other, p.Owner);
        }
    }

    [Theory, MemberData(nameof(Generations))]
    public void No_dnat_and_the_port_open_is_accepted_into_input(string gen)
    {
        var p = One(gen, "nodnat-portopen");
        Assert.Equal(TraceOutcome.NoDnat, p.Outcome);
        Assert.Null(p.TranslatedTo);
        Assert.Equal(TraceHook.Input, p.DecidingStep!.Hook);
        Assert.Equal(TraceRuleOwner.Firewalld, p.Owner);
    }

    [Theory, MemberData(nameof(Generations))]
    public void No_dnat_and_the_port_closed_is_rejected_by_firewalld(string gen)
    {
        var p = One(gen, "nodnat-portclosed");
        Assert.Equal(TraceOutcome.Rejected, p.Outcome);
        Assert.Equal(TraceRuleOwner.Firewalld, p.Owner);
        Assert.Equal(TraceHook.Input, p.DecidingStep!.Hook);
        Assert.Contains("reject", p.DecidingStep.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("trixie", TraceOutcome.Rejected, TraceRuleOwner.Firewalld, "filter_FORWARD_dnat")]
    [InlineData("docker28", TraceOutcome.Rejected, TraceRuleOwner.Firewalld, "filter_FORWARD_dnat")]
    public void StrictForwardPorts_yes_is_rejected_by_firewalld_in_forward(string gen, TraceOutcome outcome, TraceRuleOwner owner, string chain)
    {
        var p = One(gen, "strictforwardports");
        Assert.Equal(outcome, p.Outcome);
        Assert.Equal(owner, p.Owner);
        Assert.Equal(chain, p.DecidingStep!.Chain);
    }

    [Theory]
    [InlineData("bookworm")]
    [InlineData("trixie")]
    public void Nft_minus_j_prints_the_trace_as_text_and_parses_alike(string gen)
    {
        var text = Fixture.Read("nft-trace", $"{gen}-healthy.minus-j.txt");
        Assert.StartsWith("trace id ", text, StringComparison.Ordinal);
        var p = Assert.Single(NftTraceParser.Parse(text.Split('\n'), 5000, "tcp", NftTraceParser.ParseChainHooks(Fixture.Read("nft-trace", $"{gen}-chains.json"))));
        Assert.Equal(TraceOutcome.Delivered, p.Outcome);
    }

    [Fact]
    public void Chain_hooks_come_from_nft_list_chains_and_bad_json_gives_none()
    {
        var hooks = NftTraceParser.ParseChainHooks(Fixture.Read("nft-trace", "docker28-chains.json"));
        Assert.Equal(TraceHook.Forward, hooks["ip filter FORWARD"]);
        Assert.Equal(TraceHook.Input, hooks["inet firewalld filter_INPUT"]);
        Assert.False(hooks.ContainsKey("ip filter DOCKER-USER"));
        Assert.Empty(NftTraceParser.ParseChainHooks("not json"));
        Assert.Empty(NftTraceParser.ParseChainHooks(""));
    }

    [Fact]
    public void Packets_marked_by_another_tools_trace_are_left_out_and_a_legacy_reason_makes_it_unknown()
    {
        var lines = Fixture.Read("nft-trace", "bookworm-healthy.txt").Split('\n').ToList();
        lines.Add("trace id 0badf00d ip filter INPUT packet: iif \"lo\" ip saddr 127.0.0.1 ip daddr 127.0.0.1 tcp sport 1 tcp dport 5000");
        lines.Add("trace id 0badf00d ip filter INPUT policy accept ");
        var p = Assert.Single(NftTraceParser.Parse(lines, 5000, "tcp", legacyReason: "Docker's rules are in iptables-legacy"));
        Assert.Equal(TraceOutcome.Unknown, p.Outcome);
        Assert.StartsWith("Docker's rules are in iptables-legacy", p.Reason, StringComparison.Ordinal);
        Assert.Contains("Delivered", p.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trace_with_nothing_but_the_own_table_is_unknown()
    {
        var lines = Fixture.Read("nft-trace", "bookworm-healthy.txt").Split('\n').Take(3);
        var p = Assert.Single(NftTraceParser.Parse(lines, 5000, "tcp"));
        Assert.Equal(TraceOutcome.Unknown, p.Outcome);
        Assert.Empty(p.Path);
        Assert.Null(p.DecidingStep);
    }

    [Theory, MemberData(nameof(Generations))]
    public void The_path_view_fits_80_columns_and_marks_one_step(string gen)
    {
        foreach (var kind in new[] { "healthy", "ipforward0", "dockeruser-drop", "nodnat-portclosed" })
        {
            var lines = One(gen, kind).FormatPath(80);
            Assert.NotEmpty(lines);
            Assert.All(lines, l => Assert.True(l.Length <= 80, l));
            Assert.Single(lines, l => l.StartsWith('>'));
        }

        // A long rule keeps its end, which says what it does.
        Assert.Contains(One(gen, "healthy").FormatPath(80), l => l.Contains("dnat to 192.0.2.2:5000", StringComparison.Ordinal));
    }
}

public class TraceTableTests
{
    [Fact]
    public void The_script_traces_syns_of_the_port_from_the_prefix_in_a_set_of_count()
    {
        var s = TraceTable.Script(new TraceRequest { Port = 5000, From = "198.51.100.0/24", Count = 3 }.Validate(), 42);
        Assert.Contains("table inet dht_trace", s, StringComparison.Ordinal);
        Assert.Contains("hook prerouting priority -350", s, StringComparison.Ordinal);
        Assert.Contains("tcp dport 5000 tcp flags & (syn | ack) == syn ip saddr 198.51.100.0/24", s, StringComparison.Ordinal);
        Assert.Contains("size 3;", s, StringComparison.Ordinal);
        Assert.DoesNotContain("ip6 saddr .", s, StringComparison.Ordinal);
        Assert.Equal(42, TraceTable.OwnerPid(s));
        var u = TraceTable.Script(new TraceRequest { Port = 53, Protocol = "udp" }.Validate(), 7);
        Assert.Contains("udp dport 53 ip saddr . udp sport", u, StringComparison.Ordinal);
        Assert.Contains("udp dport 53 ip6 saddr . udp sport", u, StringComparison.Ordinal);
        Assert.DoesNotContain("tcp flags", u, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "tcp", null, 5, "Port")]
    [InlineData(70000, "tcp", null, 5, "Port")]
    [InlineData(5000, "sctp", null, 5, "Protocol")]
    [InlineData(5000, "tcp", "not-an-address", 5, "From")]
    [InlineData(5000, "tcp", "198.51.100.0/33", 5, "From")]
    [InlineData(5000, "tcp", null, 0, "Count")]
    public void Bad_input_names_the_value(int port, string protocol, string? from, int count, string param)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new TraceRequest { Port = port, Protocol = protocol, From = from, Count = count }.Validate());
        Assert.Equal(param, ex.ParamName);
    }

    [Fact]
    public void A_listing_without_the_modules_comment_has_no_owner() => Assert.Null(TraceTable.OwnerPid("table inet dht_trace {\n}"));
}
