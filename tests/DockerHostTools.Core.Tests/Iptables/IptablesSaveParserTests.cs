using DockerHostTools.Core.Iptables;
using Xunit;

namespace DockerHostTools.Core.Tests.Iptables;

public sealed class IptablesSaveParserTests
{
    [Fact]
    public void Nft_save_from_dockerd_20_10_has_tag_tables_chains_and_rules()
    {
        var r = IptablesSaveParser.Parse(Fixture.Read("iptables", "iptables-nft-save-1.8.9-docker-20.10.txt"), IptablesVariant.Unknown);

        Assert.Equal(IptablesVariant.Nft, r.Variant);
        Assert.True(r.VariantFromHeader);
        Assert.Equal("1.8.9", r.Version);
        Assert.Equal(["filter", "nat"], r.Tables.Select(t => t.Name));
        Assert.Equal("DROP", r.Table("filter")!.Chain("FORWARD")!.Policy);
        Assert.Null(r.Table("nat")!.Chain("DOCKER")!.Policy);
        Assert.False(r.Table("nat")!.Chain("DOCKER")!.IsBuiltIn);
        Assert.Equal(2, r.Table("nat")!.RulesOf("DOCKER").Count());
        Assert.Equal(["PREROUTING", "OUTPUT"], r.Table("nat")!.JumpsTo("DOCKER").Select(j => j.Chain));
        Assert.False(r.LegacyTablesPresent);
        Assert.True(r.HoldsRules);
    }

    [Fact]
    public void Legacy_save_1_8_9_has_no_tag_so_the_program_decides_the_variant()
    {
        var r = IptablesSaveParser.Parse(Fixture.Read("iptables", "iptables-legacy-save-1.8.9-docker-20.10.txt"), IptablesVariant.Legacy);

        Assert.Equal(IptablesVariant.Legacy, r.Variant);
        Assert.False(r.VariantFromHeader);
        Assert.Equal("1.8.9", r.Version);
        Assert.Equal(["nat", "filter"], r.Tables.Select(t => t.Name));
    }

    [Fact]
    public void Iptables_1_4_21_header_without_tag_parses_as_unknown_variant_hand_transcribed_sample()
    {
        var r = IptablesSaveParser.Parse(Fixture.Read("iptables", "iptables-save-1.4.21-centos7-HAND-TRANSCRIBED.txt"), IptablesVariant.Unknown);

        Assert.Equal(IptablesVariant.Unknown, r.Variant);
        Assert.Equal("1.4.21", r.Version);
        Assert.Equal("ACCEPT", r.Table("filter")!.Chain("FORWARD")!.Policy);
        var comment = r.Table("filter")!.RulesOf("FORWARD_direct").Single();
        Assert.Equal("added by an admin, keep", comment.Value("--comment"));
        Assert.Equal("ACCEPT", comment.Target);
    }

    [Fact]
    public void Nft_save_warns_on_stderr_not_stdout_when_legacy_tables_hold_rules()
    {
        var stdout = Fixture.Read("iptables", "iptables-nft-save-1.8.9-empty-nat-legacy-tables-present.txt");
        var stderr = Fixture.Read("iptables", "iptables-nft-save-1.8.9-empty-nat-legacy-tables-present.stderr.txt");

        var r = IptablesSaveParser.Parse(stdout, IptablesVariant.Nft);

        Assert.False(r.LegacyTablesPresent);
        Assert.Contains(IptablesSaveParser.LegacyTablesWarning, stderr, StringComparison.Ordinal);
        Assert.False(r.HoldsRules);
        Assert.Null(r.Table("nat")!.Chain("DOCKER"));
    }

    [Fact]
    public void Empty_output_is_no_tables()
    {
        var r = IptablesSaveParser.Parse(string.Empty, IptablesVariant.Nft);

        Assert.Empty(r.Tables);
        Assert.Null(r.Version);
        Assert.Equal(IptablesVariant.Nft, r.Variant);
    }

    [Theory]
    [InlineData("-A")]
    [InlineData("-X DOCKER")]
    [InlineData(":")]
    [InlineData("garbage line")]
    public void Malformed_lines_are_a_format_error_with_the_line_number(string line)
    {
        var ex = Assert.Throws<FormatException>(() => IptablesSaveParser.Parse("*nat\n" + line + "\nCOMMIT\n", IptablesVariant.Nft));
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_without_matches_or_target_is_a_valid_counting_rule()
    {
        var rule = IptablesSaveParser.Parse("*filter\n:DOCKER - [0:0]\n-A DOCKER\nCOMMIT\n", IptablesVariant.Nft).Table("filter")!.Rules.Single();

        Assert.Null(rule.Target);
        Assert.Empty(rule.Arguments);
    }

    [Fact]
    public void Rule_lines_before_a_table_are_a_format_error()
    {
        Assert.Throws<FormatException>(() => IptablesSaveParser.Parse("-A FORWARD -j ACCEPT\n", IptablesVariant.Nft));
    }

    [Fact]
    public void Counters_of_save_dash_c_are_skipped_and_negation_is_seen()
    {
        var r = IptablesSaveParser.Parse("*nat\n:DOCKER - [0:0]\n[3:180] -A DOCKER ! -i docker0 -p tcp -m tcp --dport 5000 -j DNAT --to-destination 192.0.2.2:5000\nCOMMIT\n",
            IptablesVariant.Nft);
        var rule = r.Table("nat")!.RulesOf("DOCKER").Single();

        Assert.Equal("DNAT", rule.Target);
        Assert.True(rule.IsNegated("-i"));
        Assert.False(rule.IsNegated("-p"));
    }

    [Fact]
    public void Save_cut_off_before_commit_keeps_what_was_read()
    {
        var r = IptablesSaveParser.Parse("*nat\n:DOCKER - [0:0]\n-A DOCKER -i docker0 -j RETURN\n", IptablesVariant.Legacy);

        Assert.Single(r.Table("nat")!.Rules);
    }
}

public sealed class NftTablesTests
{
    [Fact]
    public void Nft_list_tables_beside_dockerd_20_10_on_iptables_nft_has_the_iptables_tables_only()
    {
        var tables = IptablesReader.ParseNftTables(Fixture.Read("nft", "nft-list-tables-1.0.6-dockerd-20.10-iptables-nft.txt"));

        Assert.Equal(["ip nat", "ip filter"], tables);
        Assert.DoesNotContain(tables, t => t.EndsWith(IptablesReader.DockerNftablesTable, StringComparison.Ordinal));
    }

    [Fact]
    public void Docker_nftables_backend_tables_are_recognised()
    {
        // The table names Docker 29's nftables backend documents (no such engine in this lab).
        var tables = IptablesReader.ParseNftTables("table ip docker-bridges\ntable ip6 docker-bridges\ntable inet firewalld\n");

        Assert.Equal(["ip docker-bridges", "ip6 docker-bridges"], tables.Where(t => t.EndsWith(" docker-bridges", StringComparison.Ordinal)));
    }
}
