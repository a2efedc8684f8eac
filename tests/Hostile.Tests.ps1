# Issue 13: every command and every parameter fed hostile values (empty, white space, NUL, newline, 100 KB, wildcard
# metacharacters, a path traversal, negative and huge numbers). Each call must end in ErrorRecords whose ids are
# constant (never a .NET exception's type name) or in no error at all, and nothing on this machine may change. The calls
# run as nobody (setpriv) in a throwaway network and mount namespace (unshare), changing commands with -WhatIf: nothing
# reaches the machine's own firewall or sysctl.
BeforeDiscovery { $script:IsRoot = (& id -u) -eq '0' }

Describe 'Hostile input to every parameter of every command' -Tag 'Root', 'Hostile' -Skip:(-not $script:IsRoot) {
    BeforeAll {
        Import-Module $env:DHT_MODULE_PATH -Force
        function Get-HostFingerprint {
            $sysctl = Get-ChildItem /etc/sysctl.d, /etc/sysctl.conf -Force -ErrorAction Ignore | ForEach-Object { "$($_.FullName) $($_.Length) $($_.LastWriteTimeUtc.Ticks)" }
            $fw = if (Get-Command iptables-save -ErrorAction Ignore) { (& iptables-save 2>$null | Where-Object { $_ -notmatch '^#' }) -join "`n" }
            [pscustomobject]@{
                IpForward = (Get-Content /proc/sys/net/ipv4/ip_forward -Raw).Trim()
                Ip6Forward = (Get-Content /proc/sys/net/ipv6/conf/all/forwarding -Raw).Trim()
                Sysctl = $sysctl -join "`n"
                Iptables = $fw
                FirewalldZones = (Get-ChildItem /etc/firewalld/zones -ErrorAction Ignore | ForEach-Object { "$($_.Name) $($_.LastWriteTimeUtc.Ticks)" }) -join "`n"
            }
        }
        $script:Before = Get-HostFingerprint
        $work = Join-Path ([IO.Path]::GetTempPath()) ("dht-hostile-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $work | Out-Null
        & chmod 0777 $work
        $script:Work = $work
        $pwshDll = [Environment]::GetCommandLineArgs()[0]
        $dotnet = [Environment]::ProcessPath
        $module = $env:DHT_MODULE_PATH
        $runner = Join-Path $PSScriptRoot 'hostile/Invoke-HostileInput.ps1'
        # nobody cannot reach root's NuGet folder: bind pwsh, the module and the runner into the work folder, in a
        # private mount namespace that ends with the child.
        $inner = @"
set -e
mkdir -p $work/pwsh $work/module $work/runner
mount --bind '$(Split-Path $pwshDll)' $work/pwsh
mount --bind '$(Split-Path $module)' $work/module
mount --bind '$(Split-Path $runner)' $work/runner
exec setpriv --reuid=65534 --regid=65534 --clear-groups -- env HOME=$work DOTNET_CLI_HOME=$work DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \
  timeout 900 '$dotnet' $work/pwsh/$(Split-Path $pwshDll -Leaf) -NoProfile -NonInteractive -File $work/runner/Invoke-HostileInput.ps1 \
  -ModulePath $work/module/$(Split-Path $module -Leaf) -OutFile $work/rows.json
"@
        $log = & unshare --net --mount --propagation private bash -c $inner 2>&1
        $script:Exit = $LASTEXITCODE
        $script:Log = $log -join "`n"
        $script:Rows = if (Test-Path "$work/rows.json") { Get-Content "$work/rows.json" -Raw | ConvertFrom-Json } else { @() }
        $script:After = Get-HostFingerprint
    }

    AfterAll { if ($script:Work) { Remove-Item $script:Work -Recurse -Force -ErrorAction Ignore } }

    It 'ran every command and parameter (the child finished)' {
        $Exit | Should -Be 0 -Because $Log
        $commands = @(Get-Command -Module DockerHostTools).Count
        @($Rows.Command | Select-Object -Unique).Count | Should -Be $commands
        $Rows.Count | Should -BeGreaterThan 300
    }

    It 'every error id is constant, never a .NET exception type name' {
        $bad = @($Rows | ForEach-Object { $r = $_; $r.Ids | Where-Object { ($_ -split ',')[0] -match '(^NotAnErrorRecord)|(^[A-Za-z]+(\.[A-Za-z0-9]+)+$)|(Exception$)' } | ForEach-Object { "$($r.Command) -$($r.Parameter) $($r.Value): $_" } })
        $bad | Should -BeNullOrEmpty
    }

    It 'a NUL, a newline, a 100 KB string or wildcard metacharacters never pass silently into a path or name parameter: <_>' -ForEach @(
        'Get-DockerPublishedPort:Socket', 'Get-DockerChain:Socket', 'Get-DockerHostService:Socket', 'Get-DockerHostNetState:Socket', 'Test-DockerHost:Socket',
        'Test-FirewalldPort:Interface', 'Repair-IpForward:Path', 'Get-IpForward:Root'
    ) {
        $c, $p = $_ -split ':'
        foreach ($v in 'Empty', 'Space', 'Nul', 'Newline') {
            $row = $Rows | Where-Object { $_.Command -eq $c -and $_.Parameter -eq $p -and $_.Value -eq $v }
            @($row.Ids).Count | Should -BeGreaterThan 0 -Because "$c -$p $v must be refused"
        }
    }

    It 'nothing on this machine changed (ip_forward, sysctl files, iptables, firewalld zones)' {
        $After.IpForward | Should -Be $Before.IpForward
        $After.Ip6Forward | Should -Be $Before.Ip6Forward
        $After.Sysctl | Should -Be $Before.Sysctl
        $After.Iptables | Should -Be $Before.Iptables
        $After.FirewalldZones | Should -Be $Before.FirewalldZones
    }

    It 'no call took longer than 30 s (nothing hung)' {
        @($Rows | Where-Object Ms -gt 30000 | ForEach-Object { "$($_.Command) -$($_.Parameter) $($_.Value): $($_.Ms) ms" }) | Should -BeNullOrEmpty
    }
}
