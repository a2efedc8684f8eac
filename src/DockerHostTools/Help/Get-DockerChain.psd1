@{
    Synopsis     = 'Shows Docker''s iptables chains in every iptables variant that holds rules, and its ip6tables chains where it keeps IPv6 rules: whether each exists, what jumps into it, its rule count, and the FORWARD policy.'
    Description  = @'
When firewalld starts, restarts or reloads after dockerd, it flushes the iptables tables, and with them Docker's
chains: nat DOCKER (the DNAT rule of every published port), filter DOCKER, DOCKER-USER, DOCKER-ISOLATION-STAGE-1/2
and, since dockerd 28.0.1, DOCKER-FORWARD, DOCKER-CT, DOCKER-BRIDGE and DOCKER-INTERNAL. dockerd re-adds them after a
firewalld reload, but not always and not all of them.

Get-DockerChain runs one save per iptables variant (iptables-nft-save and iptables-legacy-save; iptables-save on
iptables 1.4) and reports, for each variant that holds Docker's chains (or any rules, or else the variant the
iptables command points to), every chain the running dockerd is expected to have: Exists, JumpsFrom (the chains
that jump into it), RuleCount, DnatRuleCount (nat DOCKER) and ForwardPolicy (the policy of filter FORWARD in that
variant). Intact is true when the chain exists and something jumps into it. Other chains whose name starts with
DOCKER are listed with Expected false.

Docker's ip6tables chains follow (Family IPv6; Family is IPv4 on the iptables rows) from every variant whose
ip6tables-save holds nat or filter DOCKER, that is where the engine keeps IPv6 rules (27+ by default, or ip6tables
true, with an IPv6 network): the same columns, judged by the chain set of ip6tables (dockerd 20.10 makes no
DOCKER-USER there). A host whose engine makes no IPv6 rules shows no IPv6 row. The table view groups them as
'ip6tables VARIANT'.

It warns when Docker's rules sit in a variant other than the one iptables points to (iptables -S then shows
nothing), or in both.
'@
    Parameters   = @{
        Variant = 'Only this variant: Nft, Legacy, or Unknown (iptables 1.4, whose output names no variant).'
        Family  = 'Only this family: IPv4 (Docker''s iptables chains) or IPv6 (its ip6tables chains). Default: both.'
        Socket  = 'The Docker socket asked for the engine version (the 28.x chains are expected from dockerd 28 on). Default /run/docker.sock; when the engine cannot be asked, the 28.x chains are expected only where one of them exists.'
    }
    Outputs      = @{ DockerChainState = 'One per family, variant and chain: Family, Variant, Table, Chain, Expected, Exists, Intact, RuleCount, JumpsFrom, JumpCount, DnatRuleCount, ForwardPolicy, Rules.' }
    Examples     = @(
        @{ Code = 'Get-DockerChain'; Remarks = 'Lists Docker''s chains, grouped by iptables variant.' }
        @{ Code = 'Get-DockerChain | Where-Object { $_.Expected -and -not $_.Intact }'; Remarks = 'Shows only the chains that are missing or that nothing jumps into (after a firewalld reload, typically).' }
        @{ Code = '(Get-DockerChain | Where-Object { $_.Table -eq ''nat'' -and $_.Chain -eq ''DOCKER'' }).Rules'; Remarks = 'Prints the rules of nat DOCKER: one DNAT rule per published port.' }
        @{ Code = 'Get-DockerChain -Variant Legacy | ConvertTo-Json -EnumsAsStrings'; Remarks = 'Only the legacy variant, as JSON for a runbook.' }
        @{ Code = 'Get-DockerChain -Family IPv6 | Where-Object { $_.Expected -and -not $_.Intact }'; Remarks = 'Docker''s ip6tables chains that are missing or unreached (IPv6 published ports stop answering while IPv4 still works).' }
    )
    Notes        = 'Needs root (iptables-save needs CAP_NET_ADMIN). Rules are per network namespace: run it in the namespace of the Docker host. -Verbose lists every program, D-Bus call, Engine API request and file read, with how long it took.'
    RelatedLinks = @('Get-DockerPublishedPort', 'Repair-DockerChain', 'Get-DockerHostService', 'about_DockerHostTools')
}
