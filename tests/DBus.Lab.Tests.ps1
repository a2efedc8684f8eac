# D-Bus in process on the real lab Docker host (Recipe 1: systemd-nspawn machine, real systemd 252, firewalld, dockerd):
# the units read over systemd's D-Bus API equal systemctl show's, and a warm Test-DockerHost starts no busctl or
# systemctl (its process starts are traced with strace from the host, attached to the pwsh inside the machine).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'lab/DockerLab.psm1') -Force
    $script:lab = Start-NspawnLab

    function script:Get-SpawnTrace([switch] $NoDbus) {
        <#
            Runs a pwsh in the machine that diagnoses once (warm-up), then again while strace (from the host) follows
            it; returns the programs the second Test-DockerHost started, in order. -NoDbus: DOCKERHOSTTOOLS_NO_DBUS=1, the
            busctl/systemctl road the module took before.
        #>
        $log = Join-Path ([IO.Path]::GetTempPath()) ("dht-spawn-" + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.strace')
        $modulePath = $env:DHT_MODULE_PATH
        $road = if ($NoDbus) { 'busctl' } else { 'dbus' }
        $job = Start-ThreadJob -ArgumentList $lab, $modulePath, (Join-Path $PSScriptRoot 'lab/DockerLab.psm1'), $road {
            param($lab, $modulePath, $labModule, $road)
            $env:DHT_MODULE_PATH = $modulePath
            Import-Module $labModule -Force
            Invoke-DockerLabPwsh $lab {
                param($road)
                if ($road -eq 'busctl') { $env:DOCKERHOSTTOOLS_NO_DBUS = '1' } else { $env:DOCKERHOSTTOOLS_NO_DBUS = $null }
                # Traced from here on (attaching to a process mid-read disturbs its open socket); the warm-up and the
                # measured diagnosis are told apart by a /bin/true before and after the measured one.
                Set-Content "$env:HOME/ready" $PID
                while (-not (Test-Path "$env:HOME/go")) { Start-Sleep -Milliseconds 20 }
                $null = Test-DockerHost
                & /bin/true
                $f = @(Test-DockerHost)
                & /bin/true
                Set-Content "$env:HOME/done" ''
                while (-not (Test-Path "$env:HOME/stop")) { Start-Sleep -Milliseconds 20 }
                $s = Get-FirewalldState
                $probe = try {
                    $c = [DockerHostTools.Core.DBus.DBusCall]::GetProperty('org.fedoraproject.FirewallD1', '/org/fedoraproject/FirewallD1', 'org.fedoraproject.FirewallD1', 'state')
                    "bus says $([DockerHostTools.Core.DBus.SystemBusConnection]::Shared.CallAsync($c, [Threading.CancellationToken]::None).GetAwaiter().GetResult())"
                } catch { "bus: $($_.Exception.GetBaseException().GetType().Name): $($_.Exception.GetBaseException().Message)" }
                "$($f.Count) findings; then zones read with $($s.ZonesReadWith): $($s.Message); $probe; NO_DBUS=$env:DOCKERHOSTTOOLS_NO_DBUS"

            } -ArgumentList $road
        }
        $strace = $null
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            $ready = $null
            while (-not $ready -and [DateTime]::UtcNow -lt $deadline) {
                $ready = Get-ChildItem (Join-Path $lab.Dir 'pwsh-*/ready') -ErrorAction Ignore | Select-Object -First 1
                if (-not $ready) { Start-Sleep -Milliseconds 100 }
            }
            if (-not $ready) { throw "the pwsh in the machine did not get ready: $($job | Receive-Job -ErrorAction Continue 2>&1)" }
            $work = Split-Path $ready.FullName
            $marker = '/dkx/' + (Split-Path $work -Leaf) + '/runner.ps1'
            # The host's PID of that pwsh: the dotnet process whose command line names this run's runner (not the
            # nsenter and shell in front of it, whose command lines name it too).
            $hostPid = Get-ChildItem /proc -Directory | Where-Object Name -match '^\d+$' | Where-Object {
                $c = Get-Content -Raw "/proc/$($_.Name)/cmdline" -ErrorAction Ignore
                $c -and $c.Contains($marker) -and "$((Get-Item "/proc/$($_.Name)/exe" -ErrorAction Ignore).LinkTarget)" -like '*/dotnet'
            } | Select-Object -First 1 -ExpandProperty Name
            if (-not $hostPid) { throw "no host PID for $marker" }
            $strace = Start-Process strace -ArgumentList '-f', '-qq', '-e', 'trace=execve', '-e', 'signal=none', '-o', $log, '-p', $hostPid -PassThru
            Start-Sleep -Seconds 2   # attached to every thread
            Set-Content (Join-Path $work 'go') ''
            while (-not (Test-Path (Join-Path $work 'done')) -and [DateTime]::UtcNow -lt $deadline.AddSeconds(60)) { Start-Sleep -Milliseconds 50 }
            & kill -INT $strace.Id
            $strace.WaitForExit(10000) | Out-Null
            Set-Content (Join-Path $work 'stop') ''
            $r = $job | Wait-Job -Timeout 60 | Receive-Job
            $r.Errors | Should -BeNullOrEmpty
            Write-Host "  $($r.Output)"
            # One line per successful execve: the program that was started.
            # One execve line per start: complete (ending '= 0') or split by another thread's line ('<unfinished ...>',
            # resumed later); failed ones ('= -1 ENOENT') are not starts.
            $all = @(Get-Content $log | Where-Object { $_ -match 'execve\("[^"]+"' -and $_ -notmatch '= -1 ' } | ForEach-Object { Split-Path ($_ -replace '^.*?execve\("([^"]+)".*$', '$1') -Leaf })
            $marks = @(0..($all.Count - 1) | Where-Object { $all[$_] -eq 'true' })
            if ($marks.Count -ne 2) { throw "expected two /bin/true marks in the trace, found $($marks.Count)" }
            @($all[($marks[0] + 1)..($marks[1] - 1)])
        }
        finally {
            if ($strace -and -not $strace.HasExited) { & kill -KILL $strace.Id }
            $job | Remove-Job -Force -ErrorAction Ignore
            Remove-Item $log -ErrorAction Ignore
        }
    }
}
AfterAll { Stop-NspawnLab }

Describe 'D-Bus in process on the real lab Docker host' -Tag 'Lab', 'DBus' {
    It 'units read over systemd''s D-Bus API equal systemctl show''s, InvocationID included' {
        $r = Invoke-DockerLabPwsh $lab {
            $names = 'docker', 'containerd', 'firewalld', 'systemd-networkd', 'NetworkManager', 'docker.socket', 'network-online.target', 'no-such-unit'
            $ct = [Threading.CancellationToken]::None
            $json = { param($u) $u | Select-Object Name, LoadState, ActiveState, SubState, @{ n = 'ActiveSince'; e = { $_.ActiveSince.ToUniversalTime().ToString('o') } }, ActiveEnterMonotonicUs, NRestarts, After, Result, UnitFileState, InvocationId | ConvertTo-Json -Depth 3 }
            # the D-Bus road itself (null would mean it gave up), then the systemctl road (DOCKERHOSTTOOLS_NO_DBUS=1)
            $normalized = [string[]] @($names | ForEach-Object { [DockerHostTools.Core.Systemd.SystemdReader]::NormalizeUnit($_) })
            $bus = [DockerHostTools.Core.Systemd.SystemdDbusReader]::ShowAsync([DockerHostTools.Core.DBus.SystemBusConnection]::Shared, $normalized, $ct).GetAwaiter().GetResult()
            $env:DOCKERHOSTTOOLS_NO_DBUS = '1'
            $show = [DockerHostTools.Core.Systemd.SystemdReader]::new([DockerHostTools.Core.Native.CliWrapRunner]::Instance).ShowAsync([string[]] $names, $ct).GetAwaiter().GetResult()
            @{ Bus = & $json $bus; Show = & $json $show; Docker = ($bus | Where-Object Name -eq 'docker.service') }
        }
        $r.Errors | Should -BeNullOrEmpty
        $o = $r.Output[0]
        $o.Bus | Should -Not -BeNullOrEmpty
        $o.Docker.ActiveState | Should -Be 'active'
        $o.Docker.InvocationId | Should -Match '^[0-9a-f]{32}$'
        $o.Bus | Should -Be $o.Show
    }

    It 'a warm Test-DockerHost starts no busctl and no systemctl; the busctl/systemctl road (DOCKERHOSTTOOLS_NO_DBUS=1) does' {
        $before = Get-SpawnTrace -NoDbus
        $after = Get-SpawnTrace
        $count = { param($p) @($p | Group-Object | Sort-Object Count -Descending | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', ' }
        Write-Host "  spawns of one warm Test-DockerHost, busctl/systemctl road: $($before.Count) ($(& $count $before))"
        Write-Host "  spawns of one warm Test-DockerHost, D-Bus in process:      $($after.Count) ($(& $count $after))"
        $before | Should -Contain 'busctl'
        $after | Should -Not -Contain 'busctl'
        $after | Should -Not -Contain 'systemctl'
        $after | Should -Not -Contain 'firewall-cmd'
        @($after | Where-Object { $_ -like 'iptables*save' } | Group-Object | Where-Object Count -gt 1) | Should -BeNullOrEmpty
    }
}
