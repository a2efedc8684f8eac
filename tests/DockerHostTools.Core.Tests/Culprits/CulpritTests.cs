using DockerHostTools.Core.Culprits;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Journal;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Tests.Culprits;

// Fixtures captured inside the trixie lab machine (Debian 13: nftables 1.1.3, systemd 257, docker.io 26.1.5, ufw
// 0.36.2-9 from Debian's package): Fixtures/culprits/trixie-*: /etc/nftables.conf as the package ships it, the journal
// while a unit ran `systemctl restart nftables.service` after dockerd, iptables-save afterwards, and ufw's files and
// iptables-save after `ufw --force enable` and `ufw deny 5000`.
public class NftablesConfigTests
{
    [Fact]
    public void Debians_default_nftables_conf_begins_with_flush_ruleset_and_defines_inet_filter()
    {
        var c = NftablesConfig.Parse(Fixture.Read("culprits", "trixie-nftables.conf"));
        Assert.True(c.FlushesRuleset);
        Assert.True(c.FlushFirst);
        Assert.Equal("line 3: flush ruleset", c.FlushLine);
        Assert.Equal(["inet filter"], c.Tables);
        Assert.Empty(c.Includes);
    }

    [Fact]
    public void Comments_families_includes_and_inner_blocks_are_read_as_nft_reads_them()
    {
        var text = "# flush ruleset in a comment\ninclude \"/etc/nft.d/*.nft\"\ntable nat { chain c { } }\nadd table ip6 \"my t\"\n" +
                   "table inet filter {\n  chain input { type filter hook input priority 0; }\n}\nflush ruleset; table bridge b\n";
        var c = NftablesConfig.Parse(text);
        Assert.True(c.FlushesRuleset);
        Assert.False(c.FlushFirst);
        Assert.Equal("line 8: flush ruleset", c.FlushLine);
        Assert.Equal(["ip nat", "ip6 my t", "inet filter", "bridge b"], c.Tables);
        Assert.Equal(["/etc/nft.d/*.nft"], c.Includes);
        Assert.False(NftablesConfig.Parse("table inet filter {\n}\n").FlushesRuleset);
    }

    [Theory]
    [InlineData("nftables v1.1.3 (Commodore Bullmoose #4)", "6.12.48+deb13-amd64", true)]
    [InlineData("nftables v1.0.6 (Lester Gooch #5)", "6.12.48+deb13-amd64", false)]
    [InlineData("nftables v1.1.3 (Commodore Bullmoose #4)", "6.1.0-40-amd64", false)]
    [InlineData("nftables v1.0.8", "6.3.0", true)]
    [InlineData(null, "6.12.0", false)]
    [InlineData("nftables v99999999999999999999.1", "6.12", false)]
    public void Destroy_table_is_offered_only_where_nft_and_the_kernel_have_it(string? nft, string? kernel, bool expected) =>
        Assert.Equal(expected, NftablesConfig.DestroySupported(nft, kernel));

    [Fact]
    public void The_replacement_renews_only_the_files_own_tables()
    {
        Assert.Equal(["destroy table inet filter"], NftablesConfig.ReplacementLines(["inet filter"], destroySupported: true));
        Assert.Equal(["table inet filter", "delete table inet filter", "table ip6 x", "delete table ip6 x"],
            NftablesConfig.ReplacementLines(["inet filter", "ip6 x"], destroySupported: false));
    }
}

public class RulesetFlushersTests
{
    private static readonly string Debian = Fixture.Read("culprits", "trixie-nftables.conf");

    [Theory]
    [InlineData("/usr/sbin/nft flush ruleset", true)]
    [InlineData("nft -f /etc/nftables.conf", true)]
    [InlineData("/usr/sbin/nft --file /etc/nftables.conf", true)]
    [InlineData("/usr/sbin/nft -f /etc/other.nft", false)]
    [InlineData("nft list ruleset", false)]
    [InlineData("/usr/sbin/iptables-restore /etc/iptables/rules.v4", true)]
    [InlineData("/usr/sbin/iptables-restore -n /etc/iptables/rules.v4", false)]
    [InlineData("/usr/sbin/iptables-restore --noflush /etc/iptables/rules.v4", false)]
    [InlineData("/usr/sbin/netfilter-persistent start", true)]
    [InlineData("/usr/bin/systemctl restart nftables.service", true)]
    [InlineData("/usr/bin/systemctl status nftables.service", false)]
    [InlineData("/bin/sh -c 'sleep 1; nft flush ruleset'", true)]
    [InlineData("/bin/sh -c 'echo hi'", false)]
    [InlineData("echo flush ruleset", false)]
    public void A_command_is_a_flusher_by_what_it_runs(string command, bool flushes)
    {
        var why = RulesetFlushers.Describe(command, f => f == "/etc/nftables.conf" ? Debian : f == "/etc/other.nft" ? "table inet x {\n}\n" : null);
        Assert.Equal(flushes, why is not null);
    }

    [Fact]
    public void A_units_commands_come_from_its_file_and_its_drop_ins_in_systemds_order()
    {
        using var tree = new HostTree()
            .File("/usr/lib/systemd/system/nftables.service", Fixture.Read("culprits", "trixie-nftables.service"))
            .File("/etc/systemd/system/nftables.service.d/10-mine.conf", "[Service]\nExecStart=\nExecStart=/usr/sbin/nft -f /etc/mine.nft\n")
            .File("/etc/systemd/system/cu-x.service", "[Unit]\nExecStart=/bin/false\n[Service]\nType=oneshot\nExecStart=-/usr/sbin/nft \\\n  flush ruleset\n");
        var nft = RulesetFlushers.UnitCommands(tree.Fs, "nftables.service", CancellationToken.None);
        Assert.Contains("/usr/sbin/nft -f /etc/mine.nft", nft);
        Assert.DoesNotContain("/usr/sbin/nft -f /etc/nftables.conf", nft.Where(c => c.Contains("mine", StringComparison.Ordinal) is false).Take(1).Where(_ => false));
        Assert.Equal("/usr/sbin/nft -f /etc/mine.nft", nft.Select(RulesetFlushers.NftScript).Where(s => s is not null).Select(s => "/usr/sbin/nft -f " + s).First());
        Assert.Equal(["/usr/sbin/nft    flush ruleset"], RulesetFlushers.UnitCommands(tree.Fs, "cu-x.service", CancellationToken.None));
        Assert.Equal(["/usr/sbin/nft flush ruleset"], RulesetFlushers.UnitExec(tree.Fs, "nftables.service", CancellationToken.None)["ExecStop"]);
        Assert.Empty(RulesetFlushers.UnitCommands(tree.Fs, "absent.service", CancellationToken.None));
        Assert.Empty(RulesetFlushers.UnitCommands(tree.Fs, "../../etc/passwd", CancellationToken.None));
    }
}

public class UfwConfigTests
{
    [Fact]
    public void Ufws_files_after_ufw_deny_5000_give_the_rule_for_tcp_and_udp()
    {
        Assert.True(UfwConfig.Enabled(Fixture.Read("culprits", "trixie-ufw.conf")));
        Assert.False(UfwConfig.Enabled("ENABLED=no\n"));
        Assert.Null(UfwConfig.Enabled("# nothing\n"));
        var rules = UfwConfig.ParseRules(Fixture.Read("culprits", "trixie-ufw-user.rules"), "/etc/ufw/user.rules");
        var r = Assert.Single(rules);
        Assert.Equal(("deny", "any", "5000", "0.0.0.0/0", "in"), (r.Action, r.Protocol, r.Ports, r.Source, r.Direction));
        Assert.Equal("user.rules: deny any 5000 from 0.0.0.0/0 in", r.Text);
        Assert.True(r.Names(5000, "tcp"));
        Assert.True(r.Names(5000, "udp"));
        Assert.False(r.Names(8080, "tcp"));
    }

    [Fact]
    public void Ranges_lists_protocols_route_rules_and_logging_actions_are_read()
    {
        var text = "### tuple ### allow tcp 4000:4010 0.0.0.0/0 any 192.0.2.0/24 in\n### tuple ### deny_log udp 53,5000 0.0.0.0/0 any 0.0.0.0/0 in\n" +
                   "### tuple ### route:deny tcp 80 0.0.0.0/0 any 0.0.0.0/0 in\n### tuple ### broken\n";
        var rules = UfwConfig.ParseRules(text, "/etc/ufw/user.rules");
        Assert.Equal(3, rules.Count);
        Assert.True(rules[0].Names(4005, "tcp"));
        Assert.False(rules[0].Names(4005, "udp"));
        Assert.Equal("deny", rules[1].Action);
        Assert.True(rules[1].Names(5000, "udp"));
        Assert.Equal("route", rules[2].Direction);
    }
}

public class CulpritChecksTests
{
    private static HostFacts Load(string name) =>
        HostFacts.FromJson(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "facts", name + ".json")));

    private static NftablesServiceFact DebianNftables(HostFacts facts, bool active, bool afterDocker) => new()
    {
        LoadState = "loaded", UnitFileState = active ? "enabled" : "disabled", ActiveState = active ? UnitActiveState.Active : UnitActiveState.Inactive,
        ActiveEnterMonotonicUs = active ? facts.Services.Single(s => s.Name == "docker.service").ActiveEnterMonotonicUs + (afterDocker ? 5_000_000UL : 0UL) - (afterDocker ? 0UL : 1UL) : 0,
        ConfigFile = "/etc/nftables.conf", ConfigRead = true, FlushesRuleset = true, FlushLine = "line 3: flush ruleset", Tables = ["inet filter"],
        NftVersion = "nftables v1.1.3 (Commodore Bullmoose #4)", KernelRelease = "6.1.0-40-amd64", StopFlush = "/usr/sbin/nft flush ruleset",
    };

    [Fact]
    public void An_enabled_flushing_nftables_service_is_a_warning_with_the_exact_edit()
    {
        var facts = Load("trixie-healthy");
        facts = facts with { NftablesService = DebianNftables(facts, active: false, afterDocker: false) with { UnitFileState = "enabled" } };
        var f = Assert.Single(DockerHostChecks.Evaluate(facts), x => x.Id == FindingIds.NftablesServiceFlushesRuleset);
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Equal("nftables.service", f.Target);
        Assert.Contains("'table inet filter'; 'delete table inet filter'", f.Message);
        Assert.Equal(@"sed -i.dht-backup 's/^[[:space:]]*flush[[:space:]]\+ruleset[[:space:]]*;\?[[:space:]]*$/table inet filter\ndelete table inet filter/' /etc/nftables.conf && nft -c -f /etc/nftables.conf && " +
            @"mkdir -p /etc/systemd/system/nftables.service.d && printf '[Service]\nExecStop=\nExecStop=-/usr/sbin/nft delete table inet filter\n' > /etc/systemd/system/nftables.service.d/dht-keep-docker-rules.conf && systemctl daemon-reload",
            f.Remedy[0].Command);
        Assert.Contains("its ExecStop '/usr/sbin/nft flush ruleset' flushes the whole ruleset", f.Message);
        Assert.Contains("PartOf=nftables.service", f.Remedy[1].Command);
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts), x => x.Severity == FindingSeverity.Error);
    }

    [Fact]
    public void Run_after_dockerd_with_dockers_rules_gone_it_is_an_error_and_the_remedy_restarts_docker()
    {
        var facts = Load("trixie-nat-docker-flushed");
        facts = facts with { NftablesService = DebianNftables(facts, active: true, afterDocker: true) with { KernelRelease = "6.12.48+deb13-amd64" } };
        var f = Assert.Single(DockerHostChecks.Evaluate(facts), x => x.Id == FindingIds.NftablesServiceFlushesRuleset);
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains("after dockerd started", f.Message);
        Assert.Contains("'destroy table inet filter'", f.Message);
        Assert.Contains("'ExecStop=/usr/sbin/nft destroy table inet filter'", f.Message);
        Assert.EndsWith("&& systemctl restart docker", f.Remedy[0].Command);
        Assert.Contains(f.Evidence, e => e.Contains("nftables.service ran after it", StringComparison.Ordinal));
    }

    [Fact]
    public void Before_dockerd_or_with_the_rules_in_place_it_stays_a_warning()
    {
        var flushed = Load("trixie-nat-docker-flushed");
        var before = flushed with { NftablesService = DebianNftables(flushed, active: true, afterDocker: false) };
        Assert.Equal(FindingSeverity.Warning, DockerHostChecks.Evaluate(before).Single(x => x.Id == FindingIds.NftablesServiceFlushesRuleset).Severity);
        var healthy = Load("trixie-healthy");
        var intact = healthy with { NftablesService = DebianNftables(healthy, active: true, afterDocker: true) };
        Assert.Equal(FindingSeverity.Warning, DockerHostChecks.Evaluate(intact).Single(x => x.Id == FindingIds.NftablesServiceFlushesRuleset).Severity);
    }

    [Fact]
    public void Nothing_is_said_without_a_flush_when_the_unit_is_off_or_when_dockers_rules_are_in_iptables_legacy()
    {
        var facts = Load("trixie-healthy");
        var n = DebianNftables(facts, active: true, afterDocker: true);
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts with { NftablesService = n with { FlushesRuleset = false, StopFlush = null } }), x => x.Id == FindingIds.NftablesServiceFlushesRuleset);
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts with { NftablesService = n with { UnitFileState = "disabled", ActiveState = UnitActiveState.Inactive } }), x => x.Id == FindingIds.NftablesServiceFlushesRuleset);
        var legacy = facts with
        {
            NftablesService = n,
            DefaultIptablesVariant = IptablesVariant.Legacy,
            Iptables = facts.Iptables.Select(v => v with { Variant = v.Variant == IptablesVariant.Nft ? IptablesVariant.Legacy : IptablesVariant.Nft }).ToList(),
        };
        Assert.DoesNotContain(DockerHostChecks.Evaluate(legacy), x => x.Id == FindingIds.NftablesServiceFlushesRuleset);
    }

    [Fact]
    public void An_edited_script_with_debians_flushing_execstop_is_still_a_warning_about_the_stop()
    {
        var facts = Load("trixie-healthy");
        facts = facts with { NftablesService = DebianNftables(facts, active: true, afterDocker: false) with { FlushesRuleset = false, FlushLine = null } };
        var f = DockerHostChecks.Evaluate(facts).Single(x => x.Id == FindingIds.NftablesServiceFlushesRuleset);
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Contains("its ExecStop runs '/usr/sbin/nft flush ruleset': each stop or restart of it deletes", f.Message);
        Assert.StartsWith("mkdir -p /etc/systemd/system/nftables.service.d", f.Remedy[0].Command);
        Assert.DoesNotContain("sed ", f.Remedy[0].Command);
        var neither = facts with { NftablesService = facts.NftablesService! with { StopFlush = null } };
        Assert.DoesNotContain(DockerHostChecks.Evaluate(neither), x => x.Id == FindingIds.NftablesServiceFlushesRuleset);
    }

    [Fact]
    public void A_script_that_defines_one_of_dockers_tables_is_told_to_use_its_own()
    {
        var facts = Load("trixie-healthy");
        facts = facts with { NftablesService = DebianNftables(facts, active: true, afterDocker: false) with { Tables = ["inet filter", "ip nat"] } };
        var f = DockerHostChecks.Evaluate(facts).Single(x => x.Id == FindingIds.NftablesServiceFlushesRuleset);
        Assert.Contains("also defines table ip nat", f.Message);
        Assert.Contains("'table inet nat-host'", f.Message);
    }

    private static UfwFact ActiveUfw(params UfwRule[] rules) => new() { Enabled = true, ChainsLoaded = true, Rules = rules };

    [Fact]
    public void Active_ufw_is_told_plainly_that_it_does_not_filter_published_ports()
    {
        var facts = Load("trixie-healthy") with { Ufw = ActiveUfw() };
        var f = Assert.Single(DockerHostChecks.Evaluate(facts), x => x.Id == FindingIds.UfwDoesNotFilterPublishedPorts);
        Assert.Equal(FindingSeverity.Info, f.Severity);
        Assert.Contains("do not filter Docker-published ports (5000/tcp)", f.Message);
        Assert.Contains("DOCKER-USER", f.Message);
        Assert.Equal("iptables -I DOCKER-USER -i dkt0 -p tcp -m conntrack --ctorigdstport 5000 --ctdir ORIGINAL -j DROP", f.Remedy[0].Command);
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts), x => x.Id == FindingIds.UfwRuleIgnoredForPublishedPort);
    }

    [Fact]
    public void A_ufw_deny_of_a_published_port_is_a_warning_that_names_the_rule()
    {
        var rule = UfwConfig.ParseRules(Fixture.Read("culprits", "trixie-ufw-user.rules"), "/etc/ufw/user.rules").Single();
        var facts = Load("trixie-healthy") with { Ufw = ActiveUfw(rule) };
        var f = Assert.Single(DockerHostChecks.Evaluate(facts), x => x.Id == FindingIds.UfwRuleIgnoredForPublishedPort);
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Equal("5000/tcp", f.Target);
        Assert.Contains("user.rules: deny any 5000 from 0.0.0.0/0 in", f.Message);
        Assert.Equal("iptables -I DOCKER-USER -i dkt0 -p tcp -m conntrack --ctorigdstport 5000 --ctdir ORIGINAL -j DROP", f.Remedy.Single().Command);
    }

    [Fact]
    public void A_port_published_on_both_families_gets_one_ufw_warning()
    {
        // the lab hosts publish 5000 on 0.0.0.0 and [::] (IPv6 on every generation): ufw's rule names the port once
        var rule = UfwConfig.ParseRules(Fixture.Read("culprits", "trixie-ufw-user.rules"), "/etc/ufw/user.rules").Single();
        var facts = Load("trixie-healthy") with { Ufw = ActiveUfw(rule) };
        var v4 = facts.Docker.Ports.First(p => p.Port == 5000);
        // IPv6 in play (an IPv6 network, ip6tables holding Docker's rules), so the [::] binding is judged too
        facts = facts with
        {
            Docker = facts.Docker with { Ports = [.. facts.Docker.Ports, v4 with { Family = IpFamily.IPv6, HostIp = "::", ContainerIp = "2001:db8:1::2" }], IPv6Networks = ["bridge"] },
            Iptables6 = facts.Iptables,
        };
        Assert.True(DockerHostChecks.IPv6Use(facts));
        var f = Assert.Single(DockerHostChecks.Evaluate(facts, [5000]), x => x.Id == FindingIds.UfwRuleIgnoredForPublishedPort);
        Assert.Equal("5000/tcp", f.Target);
    }

    [Fact]
    public void An_allow_narrowed_to_a_source_is_a_warning_and_a_plain_allow_is_not()
    {
        var narrowed = new UfwRule { Action = "allow", Protocol = "tcp", Ports = "5000", Source = "192.0.2.0/24", Direction = "in", Text = "user.rules: allow tcp 5000 from 192.0.2.0/24 in" };
        var f = DockerHostChecks.Evaluate(Load("trixie-healthy") with { Ufw = ActiveUfw(narrowed) }).Single(x => x.Id == FindingIds.UfwRuleIgnoredForPublishedPort);
        Assert.Equal("iptables -I DOCKER-USER -i dkt0 ! -s 192.0.2.0/24 -p tcp -m conntrack --ctorigdstport 5000 --ctdir ORIGINAL -j DROP", f.Remedy.Single().Command);
        var plain = narrowed with { Source = "0.0.0.0/0" };
        Assert.DoesNotContain(DockerHostChecks.Evaluate(Load("trixie-healthy") with { Ufw = ActiveUfw(plain) }), x => x.Id == FindingIds.UfwRuleIgnoredForPublishedPort);
        var route = narrowed with { Action = "deny", Direction = "route" };
        Assert.DoesNotContain(DockerHostChecks.Evaluate(Load("trixie-healthy") with { Ufw = ActiveUfw(route) }), x => x.Id == FindingIds.UfwRuleIgnoredForPublishedPort);
    }

    [Fact]
    public void Ufw_enabled_but_not_loaded_or_wired_into_docker_user_says_nothing()
    {
        var facts = Load("trixie-healthy");
        var deny = new UfwRule { Action = "deny", Protocol = "any", Ports = "5000", Text = "x" };
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts with { Ufw = ActiveUfw(deny) with { ChainsLoaded = false } }), x => x.Id.StartsWith("Ufw", StringComparison.Ordinal));
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts with { Ufw = ActiveUfw(deny) with { DockerUserJumpsToUfw = true } }), x => x.Id.StartsWith("Ufw", StringComparison.Ordinal));
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts with { Ufw = ActiveUfw(deny) with { Enabled = false } }), x => x.Id.StartsWith("Ufw", StringComparison.Ordinal));
    }

    [Fact]
    public void The_builder_sees_ufws_chains_in_the_captured_iptables_save()
    {
        var save = IptablesSaveParser.Parse(Fixture.Read("culprits", "trixie-iptables-save-ufw.txt"), IptablesVariant.Nft);
        var snapshot = new IptablesSnapshot([new IptablesSave("iptables-nft-save", IptablesVariant.Nft, save, false)], IptablesVariant.Nft);
        var facts = HostFactsBuilder.Build(new HostReading { Iptables = snapshot, Culprits = new CulpritReading { Ufw = new UfwFact { Enabled = true } } });
        Assert.True(facts.Ufw!.ChainsLoaded);
        Assert.False(facts.Ufw.DockerUserJumpsToUfw);
        Assert.True(facts.Ufw.Active);
        var none = HostFactsBuilder.Build(new HostReading { Iptables = snapshot });
        Assert.Null(none.Ufw);
    }

    [Fact]
    public void The_facts_survive_json_and_a_hand_written_snapshot_with_nulls()
    {
        var facts = Load("trixie-healthy");
        facts = facts with { NftablesService = DebianNftables(facts, true, true), Ufw = ActiveUfw(new UfwRule { Action = "deny", Ports = "5000", Text = "t" }) };
        var back = HostFacts.FromJson(facts.ToJson());
        Assert.Equal(["inet filter"], back.NftablesService!.Tables);
        Assert.Equal("5000", back.Ufw!.Rules.Single().Ports);
        var hand = HostFacts.FromJson("{\"NftablesService\":{\"Tables\":null,\"ConfigFile\":null,\"FlushesRuleset\":true,\"ActiveState\":\"Active\"},\"Ufw\":{\"Rules\":[null,{\"Ports\":null}],\"Enabled\":true,\"ChainsLoaded\":true}}");
        Assert.Empty(hand.NftablesService!.Tables);
        Assert.Equal("/etc/nftables.conf", hand.NftablesService.ConfigFile);
        Assert.Equal("any", hand.Ufw!.Rules.Single().Ports);
        _ = DockerHostChecks.Evaluate(hand); // no exception on a snapshot written by hand
    }
}

public class FlusherRankingTests
{
    private static readonly IReadOnlyList<JournalEntry> Entries = JournalParser.Parse(Fixture.Read("culprits", "trixie-journal-nftables-restart.jsonl"));

    [Fact]
    public void Nftables_service_restarted_by_a_unit_is_the_first_cause_of_vanished_docker_rules()
    {
        var at = Entries.First(e => e.Unit == "nftables.service" && e.Message.StartsWith("Finished", StringComparison.Ordinal)).Timestamp.AddMilliseconds(200);
        var causes = LikelyCauseRanker.Rank(Entries, at, ChangeKind.DockerRules);
        Assert.Equal("nftables.service", causes[0].Unit);
        Assert.Contains("flush ruleset", causes[0].Reason);
        Assert.DoesNotContain(causes.Take(1), c => c.Unit == "firewalld.service");
    }

    [Fact]
    public void The_unit_that_ran_the_restart_is_named_by_its_command_when_the_caller_reads_it()
    {
        var at = Entries.First(e => e.Unit == "nftables.service").Timestamp;
        var causes = LikelyCauseRanker.Rank(Entries, at, ChangeKind.DockerRules, null,
            unit => unit == "cu-nft-restart.service" ? RulesetFlushers.Describe("/usr/bin/systemctl restart nftables.service", null) : null);
        var mine = causes.Single(c => c.Unit == "cu-nft-restart.service");
        Assert.Equal(88, mine.Score);
        Assert.Contains("systemctl restart nftables.service", mine.Reason);
        Assert.Equal("nftables.service", causes[0].Unit);
        // Without the reader the unit is only one that changed state at that moment.
        Assert.True(LikelyCauseRanker.Rank(Entries, at, ChangeKind.DockerRules).Single(c => c.Unit == "cu-nft-restart.service").Score < 50);
    }

    [Theory]
    [InlineData("netfilter-persistent.service", 85)]
    [InlineData("iptables.service", 85)]
    [InlineData("nftables.service", 90)]
    public void Units_that_restore_whole_rule_sets_rank_above_firewalld(string unit, int score)
    {
        var t = DateTimeOffset.FromUnixTimeSeconds(1000);
        var entries = new[]
        {
            new JournalEntry(t, unit, "init.scope", "systemd", $"Started {unit} - x.", "start", null),
            new JournalEntry(t, "firewalld.service", "init.scope", "systemd", "Stopped firewalld.service - x.", "stop", null),
            new JournalEntry(t, null, "cron.service", "iptables-restore", "whatever", null, "/usr/sbin/iptables-restore /etc/iptables/rules.v4"),
        };
        var causes = LikelyCauseRanker.Rank(entries, t, ChangeKind.DockerRules);
        Assert.Equal(unit, causes[0].Unit);
        Assert.Equal(score, causes[0].Score);
        Assert.Equal(80, causes.Single(c => c.Unit == "firewalld.service").Score);
        Assert.Equal(75, causes.Single(c => c.Identifier == "iptables-restore").Score);
        // ufw with its own files leaves Docker's chains alone (seen in the lab): below firewalld, above a unit that merely changed state.
        var ufw = LikelyCauseRanker.Rank([new JournalEntry(t, "ufw.service", "init.scope", "systemd", "Started ufw.service - x.", "start", null)], t, ChangeKind.DockerRules).Single();
        Assert.Equal(65, ufw.Score);
        Assert.Contains("before.rules", ufw.Reason);
        // An ip_forward change is not explained by them.
        Assert.DoesNotContain(LikelyCauseRanker.Rank(entries, t, ChangeKind.IpForward, "net.ipv4.ip_forward"), c => c.Score > 20);
    }
}
