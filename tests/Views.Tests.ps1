# The views at 80 and 120 columns keep the column a user decides by, on live objects, after Export-Clixml / Import-Clixml
# and after remoting's serialization (depth 1 unless a type asks for more, Deserialized.<TypeName> names). Objects are
# made from captured real outputs (Fixtures/) through the module's own parsers and commands; nothing needs root.
BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force
    $PSStyle.OutputRendering = 'PlainText'
    $script:fx = Join-Path $PSScriptRoot 'DockerHostTools.Core.Tests/Fixtures'

    function Get-Finding([string] $Name) {
        [pscustomobject]@{ FactsJson = Get-Content (Join-Path $fx "facts/$Name.json") -Raw } | Test-DockerHost
    }

    # Every way a user meets the object: live, read back from a file, received over remoting.
    function ConvertTo-Copy($InputObject, [string] $Road) {
        switch ($Road) {
            'live' { $InputObject }
            'clixml' {
                $file = Join-Path ([IO.Path]::GetTempPath()) "dht-view-$([guid]::NewGuid().ToString('N')).xml"
                try { $InputObject | Export-Clixml $file; Import-Clixml $file } finally { Remove-Item $file -ErrorAction Ignore }
            }
            'remoting' {
                # what a remote session does to output: serialize at depth 1 (types.ps1xml may ask for more), deserialize
                $InputObject | ForEach-Object { [Management.Automation.PSSerializer]::Deserialize([Management.Automation.PSSerializer]::Serialize($_, 1)) }
            }
        }
    }

    function Show($InputObject, [int] $Width, [string] $View) {
        $text = if ($View) { $InputObject | Format-Table -View $View | Out-String -Width $Width } else { $InputObject | Out-String -Width $Width }
        $lines = $text -split "`r?`n"
        foreach ($l in $lines) { $l.Length | Should -BeLessOrEqual $Width -Because "'$l' fits in $Width columns" }
        $lines
    }
    function Squeeze([string] $Text) { $Text -replace '\s+', '' }   # wrapped cells break anywhere, even inside a word

    function New-Tree([hashtable] $Files) {
        $root = Join-Path ([IO.Path]::GetTempPath()) "dht-view-root-$([guid]::NewGuid().ToString('N'))"
        foreach ($k in $Files.Keys) {
            $p = Join-Path $root $k.TrimStart('/')
            New-Item -ItemType Directory -Force (Split-Path $p) | Out-Null
            Set-Content -LiteralPath $p -Value $Files[$k] -NoNewline
        }
        $root
    }

    function Get-Zone {
        [DockerHostTools.Core.Firewalld.FirewallCmdParser]::ParseZones((Get-Content (Join-Path $fx 'firewall-cmd/0.6.3-handtranscribed-list-all-zones.txt') -Raw), 'Runtime')
    }

    function Get-Service {
        $blocks = [DockerHostTools.Core.Systemd.SystemdReader]::ParseShow((Get-Content (Join-Path $fx 'systemctl/show-252-firewalld-restarted-after-docker.txt') -Raw))
        $units = @($blocks | ForEach-Object { [DockerHostTools.Core.Systemd.SystemdReader]::FromBlock($_['Id'], $_) })
        $docker = $units | Where-Object Name -eq 'docker.service'
        foreach ($u in $units) {
            $after = if ($u.Name -eq 'docker.service' -or -not $u.ActiveEnterMonotonicUs -or -not $docker.ActiveEnterMonotonicUs) { $null } else { $u.ActiveEnterMonotonicUs -gt $docker.ActiveEnterMonotonicUs }
            [DockerHostTools.Core.Docker.DockerHostService]::new($u, $after, $(if ($u.Name -eq 'docker.service') { 'iptables' }), $null)
        }
    }

    function Get-Change {
        $at = [DateTimeOffset]::new(2025, 3, 1, 10, 15, 30, [TimeSpan]::Zero)
        $entry = [DockerHostTools.Core.Journal.JournalEntry]::new($at.AddSeconds(-2), 'NetworkManager.service', $null, 'NetworkManager', 'NetworkManager: sysctl net.ipv4.ip_forward set to 0 by the connection profile eth0', $null, $null)
        $cause = [DockerHostTools.Core.Journal.LikelyCause]::new($entry, 10, 'same second')
        [DockerHostTools.Core.Watch.NetStateChange]::new($at, 'net.ipv4.ip_forward', '1', '0', 'Error', 'IpForward', [DockerHostTools.Core.Journal.LikelyCause[]] @($cause))
    }
}

Describe 'Views at <Width> columns, <Road>' -ForEach @(
    foreach ($w in 80, 120) { foreach ($r in 'live', 'clixml', 'remoting') { @{ Width = $w; Road = $r } } }
) {
    It 'Finding: each remedy alternative starts its own line, labelled with its shell' {
        $f = ConvertTo-Copy (Get-Finding '02-ip-forward-off') $Road
        $lines = Show $f $Width
        $text = ($lines | ForEach-Object Trim) -join ' '
        @($lines | Where-Object { $_ -match '^\s+fix PowerShell: Repair-IpForward -Confirm:\$false$' }).Count | Should -BeGreaterThan 0
        @($lines | Where-Object { $_ -match '^\s+or Bash: echo ' }).Count | Should -BeGreaterThan 0
        $text | Should -Not -Match '&&\s+Repair-IpForward'   # never both roads joined into one line
        $text | Should -Match 'Severity: Error'
    }

    It 'FindingTable: the message keeps at least 40 columns and is not cut' {
        $f = ConvertTo-Copy (Get-Finding '03-dnat-deleted') $Road
        $lines = Show $f $Width 'FindingTable'
        $header = $lines | Where-Object { $_ -match '^Severity' } | Select-Object -First 1
        ($Width - $header.IndexOf('Target: message')) | Should -BeGreaterOrEqual 40
        $text = -join ($lines | ForEach-Object { if ($_.Length -gt 40) { $_.Substring(40) } })
        (Squeeze $text) | Should -Match ([regex]::Escape((Squeeze "5000/tcp: The DNAT rule of 5000/tcp (dkreg) is gone: outside traffic no longer reaches the container and firewalld rejects it at the host.")))
        ($lines -join "`n") | Should -Not -Match '…'
    }

    It 'Get-IpForward: the deciding file is shown whole' {
        $root = New-Tree @{ '/proc/sys/net/ipv4/ip_forward' = '1'; '/usr/lib/sysctl.d/50-default.conf' = "net.ipv4.ip_forward = 1`n"; '/etc/sysctl.d/99-cis-hardening.conf' = "net.ipv4.ip_forward = 0`n" }
        try {
            $s = ConvertTo-Copy (Get-IpForward -Root $root) $Road
            $lines = Show $s $Width
            ($lines -join "`n") | Should -Match ([regex]::Escape('/etc/sysctl.d/99-cis-hardening.conf:1'))
            ($lines -join "`n") | Should -Match 'IPv4\s+on\s+off\s+\w+\s+/etc/sysctl\.d/99-cis-hardening\.conf:1'
        }
        finally { Remove-Item $root -Recurse -Force -ErrorAction Ignore }
    }

    It 'Get-IpForward -Family IPv6: the two IPv6 switches are told apart (all, def = default), each with its deciding file' {
        $root = New-Tree @{ '/proc/sys/net/ipv6/conf/all/forwarding' = '1'; '/proc/sys/net/ipv6/conf/default/forwarding' = '0'
            '/etc/sysctl.d/30-v6.conf' = "net.ipv6.conf.all.forwarding = 1`n" }
        try {
            $s = ConvertTo-Copy (Get-IpForward -Family IPv6 -Root $root) $Road
            $text = (Show $s $Width) -join "`n"
            $text | Should -Match 'IPv6 all\s+on\s+on\s+Ok\s+/etc/sysctl\.d/30-v6\.conf:1'
            $text | Should -Match 'IPv6 def\s+off\s+-\s+RuntimeDisabled\s+\(no file sets it\)'
        }
        finally { Remove-Item $root -Recurse -Force -ErrorAction Ignore }
    }

    It 'Get-DockerPublishedPort: an IPv6 binding shows its addresses in brackets' {
        $c = [DockerHostTools.Core.Docker.DockerContainer]::new('abc', 'dkreg', 'dkregistry:local', 'running', 'Up', [DockerHostTools.Core.Docker.DockerPortBinding[]] @(), [System.Collections.Generic.Dictionary[string, string]]::new())
        $p = [DockerHostTools.Core.Docker.DockerPublishedPort]::new($c, '::', 5000, 'tcp', '2001:db8:1::2', 5000, $true, 'Nft', $true, $true, $null)
        $text = (Show (ConvertTo-Copy $p $Road) $Width) -join "`n"
        $text | Should -Match ([regex]::Escape('[::]:5000/tcp') + '\s+' + [regex]::Escape('[2001:db8:1::2]:5000') + '\s+yes')
    }

    It 'Get-FirewalldZone: the ports are shown' {
        $z = ConvertTo-Copy (Get-Zone) $Road
        $lines = Show $z $Width
        $public = ($lines | Where-Object { $_ -match '^public ' }) | Select-Object -First 1
        $public | Should -Match '5000/tcp'
        ($lines -join "`n") | Should -Not -Match '…'
    }

    It 'Get-DockerHostService: Since and After docker are shown' {
        $s = ConvertTo-Copy (Get-Service) $Road
        $lines = Show $s $Width
        $fw = $lines | Where-Object { $_ -match '^firewalld ' } | Select-Object -First 1
        $fw | Should -Match '\d\d-\d\d \d\d:\d\d:\d\d\s+\d+\s+YES'
        $dk = $lines | Where-Object { $_ -match '^docker ' } | Select-Object -First 1
        $dk | Should -Match '\d\d-\d\d \d\d:\d\d:\d\d'
    }

    It 'Watch: the likely cause is shown' {
        $c = ConvertTo-Copy (Get-Change) $Road
        $lines = Show $c $Width
        ($lines -join "`n") | Should -Match '10:15:30\s+Error\s+net\.ipv4\.ip_forward\s+1 -> 0\s+NetworkManager'
        (Squeeze (-join ($lines | ForEach-Object { if ($_.Length -gt 57) { $_.Substring(57) } }))) | Should -Match (Squeeze 'NetworkManager.service: NetworkManager: sysctl net.ipv4.ip_forward set to 0 by the connection profile eth0')
    }

    It 'Test-RegistryReachable: the message gets the full width below its row' {
        $r = ConvertTo-Copy (Test-RegistryReachable 127.0.0.1:1 -TimeoutSec 2) $Road
        $lines = @(Show $r $Width | Where-Object { $_.Trim() })
        $lines[0] | Should -Match 'Host: 127.0.0.1'
        $lines[1] | Should -Match '^\s+1\s+Refused\s+127\.0\.0\.1'
        $message = @($lines | Select-Object -Skip 2)
        $message.Count | Should -BeLessOrEqual ([math]::Ceiling($r.Message.Length / ($Width - 9)))
        (Squeeze (-join $message)) | Should -Be (Squeeze $r.Message)
    }
}

Describe 'Views on deserialized objects' {
    It 'FirewalldZone copies keep their type name for the view (<Road>)' -ForEach @(@{ Road = 'clixml' }, @{ Road = 'remoting' }) {
        $z = @(ConvertTo-Copy (Get-Zone) $Road)[0]
        $z.pstypenames[0] | Should -Be 'Deserialized.DockerHostTools.Core.Firewalld.FirewalldZone'
    }

    It 'a snapshot over remoting keeps its IpForward and Services entries as objects (types.ps1xml SerializationDepth)' {
        $state = Get-DockerHostNetState -WarningAction SilentlyContinue
        $copy = ConvertTo-Copy $state 'remoting'
        $copy.IpForward[0].Key | Should -Be 'net.ipv4.ip_forward'
        $text = $copy | Out-String -Width 120
        $text | Should -Match 'net\.ipv4\.ip_forward = [01] \('
        $text | Should -Not -Match ' =  \(\)'
        $copy.FactsJson | Should -Be $state.FactsJson
        @($copy | Test-DockerHost).Count | Should -Be @($state | Test-DockerHost).Count
    }

    It 'a snapshot shows the daemon''s settings in one line (<Road>), each unset one as its default' -ForEach @(@{ Road = 'clixml' }, @{ Road = 'remoting' }) {
        $state = Get-DockerHostNetState -WarningAction SilentlyContinue
        $copy = ConvertTo-Copy $state $Road
        $text = $copy | Out-String -Width 400
        $text | Should -Match 'Daemon\s+: iptables (true|false)( \(default\))?, ip6tables .*, userland-proxy (true|false)( \(default\))?, firewall-backend \S+'
        $copy.DaemonSettings | Should -Be $state.DaemonSettings
        $state.EngineLocation | Should -BeIn @('Local', 'Rootless', 'DockerDesktop', 'Remote')
    }
}

Describe 'Flat forms: Export-Csv and JSON' {
    It 'Export-Csv writes Evidence and Remedy as readable cells, each remedy labelled with its shell' {
        $file = Join-Path ([IO.Path]::GetTempPath()) "dht-view-$([guid]::NewGuid().ToString('N')).csv"
        try {
            Get-Finding '02-ip-forward-off' | Export-Csv $file
            $rows = Import-Csv $file
            $rows[0].Remedy | Should -Be 'PowerShell: Repair-IpForward -Confirm:$false; Bash: echo ''net.ipv4.ip_forward = 1'' > /etc/sysctl.d/99-zz-dockerhosttools-ipforward.conf && sysctl -p /etc/sysctl.d/99-zz-dockerhosttools-ipforward.conf'
            $rows[0].Evidence | Should -Match '^/proc/sys/net/ipv4/ip_forward = 0; '
            (Get-Content $file -Raw) | Should -Not -Match 'System\.Collections|ReadOnlyArray'
        }
        finally { Remove-Item $file -ErrorAction Ignore }
    }

    It 'Export-Csv of a watched change writes its likely cause' {
        $file = Join-Path ([IO.Path]::GetTempPath()) "dht-view-$([guid]::NewGuid().ToString('N')).csv"
        try {
            Get-Change | Export-Csv $file
            (Import-Csv $file).LikelyCause | Should -Match '^NetworkManager\.service: NetworkManager: sysctl'
        }
        finally { Remove-Item $file -ErrorAction Ignore }
    }

    It 'a remedy is a whole command for one shell; a string of it is its command' {
        $r = @((Get-Finding '02-ip-forward-off')[0].Remedy)
        $r.Shell | Should -Be @('PowerShell', 'Bash')
        "$($r[0])" | Should -Be 'Repair-IpForward -Confirm:$false'
    }

    It 'findings read back from JSON or CLIXML keep their typed remedies' {
        $f = Get-Finding '02-ip-forward-off'
        $file = Join-Path ([IO.Path]::GetTempPath()) "dht-view-$([guid]::NewGuid().ToString('N')).xml"
        try {
            $f | Export-Clixml $file
            $back = Import-Clixml $file
            @($back[0].Remedy).Command | Should -Be @($f[0].Remedy).Command
            # Repair-DockerHost -WhatIf reads the finding back (it is then re-checked on this host; only the input matters here)
            $json = $f | ConvertTo-Json -Depth 4 -EnumsAsStrings | ConvertFrom-Json
            @($json[0].Remedy).Shell | Should -Be @('PowerShell', 'Bash')
        }
        finally { Remove-Item $file -ErrorAction Ignore }
    }

    It 'a snapshot as JSON holds the facts once (FactsJson), not Facts as well' {
        $state = Get-DockerHostNetState -WarningAction SilentlyContinue
        $json = $state | ConvertTo-Json -Depth 4 -EnumsAsStrings
        $obj = $json | ConvertFrom-Json
        $obj.PSObject.Properties.Name | Should -Not -Contain 'Facts'
        $obj.FactsJson | Should -Be $state.FactsJson
        @($obj | Test-DockerHost).Count | Should -Be @($state | Test-DockerHost).Count
    }
}

Describe 'Pipelines' {
    It 'Get-DockerPublishedPort | Test-RegistryReachable: a published port binds by its Endpoint' {
        $port = [pscustomobject]@{ PSTypeName = 'DockerHostTools.Core.Docker.DockerPublishedPort'; HostIp = '127.0.0.1'; Port = 1; Protocol = 'tcp' }
        $port.Endpoint | Should -Be '127.0.0.1:1'
        $r = $port | Test-RegistryReachable -TimeoutSec 2
        $r.Port | Should -Be 1
        $r.Outcome | Should -Be 'Refused'
    }

    It 'a port published on every address is probed at this host''s name' {
        $port = [pscustomobject]@{ PSTypeName = 'DockerHostTools.Core.Docker.DockerPublishedPort'; HostIp = '0.0.0.0'; Port = 5000; Protocol = 'tcp' }
        $port.Endpoint | Should -Be "$([System.Net.Dns]::GetHostName()):5000"
    }
}
