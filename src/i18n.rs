//! Every string the page itself says, in Korean (default) and English (`?lang=en`).
//!
//! What the simulated tools print comes from the core as `Text { ko, en }`; this table holds
//! the lab's own words (buttons, labels, notes). Raft's terms (leader, follower, term) stay in
//! English inside the Korean text, as in the class material ("주 금고 Leader Node").

use lab_core::i18n::Lang;
use leptos::prelude::{Get, RwSignal};

/// One phrase in both languages: `Tr(ko, en)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tr(pub &'static str, pub &'static str);

impl Tr {
    pub fn get(self, lang: Lang) -> &'static str {
        lang.pick(self.0, self.1)
    }
}

/// The phrase as reactive text in the reader's language. One closure type for the whole app,
/// so the bundle carries one copy of the code that renders it.
pub fn tr(lang: RwSignal<Lang>, t: Tr) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || t.get(lang.get())
}

pub const TITLE: Tr = Tr(
    "컨트롤 플레인 랩 — etcd 은행 금고와 API 서버 청사",
    "Control Plane Lab — the etcd bank vault and the API server office",
);
pub const SUBTITLE: Tr = Tr(
    "금고(etcd 멤버)를 누르면 중지/재시작, 창구(API 서버)를 누르면 쓰기를 보냅니다. 명령 입력창에는 kubectl도 쓸 수 있습니다. 모든 클릭은 명령이 됩니다.",
    "Press a vault (etcd member) to crash or restart it, a teller (API server) to send a write; type kubectl in the command line. Every click becomes a command.",
);
pub const LANG_SWITCH: Tr = Tr("언어", "Language");

// ---- controls ---------------------------------------------------------------------------
pub const CONTROLS: Tr = Tr("시뮬레이션 조작", "Simulation controls");
pub const PLAY: Tr = Tr("재생", "Play");
pub const PAUSE: Tr = Tr("일시정지", "Pause");
pub const STEP: Tr = Tr("한 단계", "Step");
pub const STEP_HINT: Tr = Tr("다음 이벤트 시각까지 진행 (일시정지)", "Advance to the next event (pauses)");
pub const SPEED: Tr = Tr("속도", "Speed");
pub const MEMBERS: Tr = Tr("etcd 멤버 수", "etcd members");
pub const MEMBERS_HINT: Tr = Tr("바꾸면 새 시나리오가 시작됩니다", "Changing it starts a new scenario");
pub const PARTITION_MODE: Tr = Tr("분할 모드", "Partition mode");
pub const PARTITION_MODE_HINT: Tr =
    Tr("켜면 금고를 눌러 분할선 건너편으로 옮깁니다", "When on, press a vault to move it across the partition line");
pub const HEAL: Tr = Tr("분할 복구", "Heal");
pub const SHARE: Tr = Tr("공유", "Share");
pub const SIM_CLOCK: Tr = Tr("시뮬레이션 시각", "Simulated time");
pub const STATE_HASH: Tr = Tr("상태 해시", "State hash");
pub const SHARE_URL: Tr = Tr("공유 링크", "Share link");
pub const SHARE_HASH: Tr = Tr("공유 시점의 상태 해시", "State hash when shared");
pub const SHARE_COPIED_NOTE: Tr = Tr(
    "링크를 다른 브라우저에서 열면 같은 시각, 같은 상태(같은 해시)로 재현됩니다.",
    "Open the link in another browser: the same moment, the same state (the same hash).",
);
pub const DISMISS: Tr = Tr("닫기", "Dismiss");
pub const ERROR_PREFIX: Tr = Tr(
    "공유 링크를 열 수 없어 기본 시나리오로 시작합니다: ",
    "Could not open the shared link; starting the default scenario instead: ",
);

// ---- diagram ----------------------------------------------------------------------------
pub const DIAGRAM: Tr =
    Tr("etcd 클러스터: 금고(멤버)와 창구(API 서버)", "etcd cluster: vaults (members) and tellers (API servers)");
pub const VAULT_ROOM: Tr = Tr("금고실 — Raft 합의", "Vault room — Raft consensus");
pub const TELLER_ROW: Tr = Tr("창구 직원들 — API 서버", "Tellers — API servers");
pub const ROLE_LEADER: Tr = Tr("주 금고 · leader", "leader vault");
pub const ROLE_FOLLOWER: Tr = Tr("보조 금고 · follower", "follower vault");
pub const ROLE_CANDIDATE: Tr = Tr("후보 · candidate", "candidate");
pub const ROLE_PRE_CANDIDATE: Tr = Tr("예비 후보 · pre-candidate", "pre-candidate");
pub const ROLE_DOWN: Tr = Tr("중지됨 · down", "DOWN");
pub const ROLE_LEARNER: Tr = Tr("학습자 · learner", "learner (no vote)");
pub const ROLE_REMOVED: Tr = Tr("제거됨 · removed", "REMOVED");
pub const TERM: Tr = Tr("텀", "term");
pub const VOTE: Tr = Tr("투표", "vote");
pub const COMMIT: Tr = Tr("커밋", "commit");
pub const APPLIED: Tr = Tr("적용", "applied");
pub const REVISION: Tr = Tr("리비전", "rev");
/// The leader's matchIndex / nextIndex for a follower (Raft §5.3).
pub const MATCH: Tr = Tr("match", "match");
pub const NEXT: Tr = Tr("next", "next");
pub const LOG: Tr = Tr("로그", "log");
pub const TIMER: Tr = Tr("선거 타이머", "election timer");
pub const LEADER_BEATS: Tr = Tr("100ms마다 하트비트", "heartbeat every 100 ms");
pub const TELLER: Tr = Tr("창구", "teller");
pub const TELLER_ACTION: Tr = Tr("쓰기 보내기", "send a write");
pub const PARTITION_LINE: Tr = Tr("네트워크 분할선", "partition line");
pub const MOVE_HERE: Tr = Tr("금고를 눌러 이쪽으로 옮기세요", "press a vault to move it here");
pub const NO_LEADER: Tr = Tr("리더 없음", "no leader");
pub const LEADER_IS: Tr = Tr("리더", "leader");
pub const WRITES: Tr = Tr("쓰기", "writes");
pub const WRITES_OK: Tr = Tr("성공", "ok");
pub const WRITES_FAILED: Tr = Tr("실패", "failed");
pub const MORE_MESSAGES: Tr = Tr("그 밖의 메시지", "more messages");

// ---- what a vault shows about its disk, snapshot and hand-over ---------------------------------
pub const SNAPSHOT_AT: Tr = Tr("스냅샷", "snapshot");
pub const NO_SNAPSHOT: Tr = Tr("스냅샷 없음", "no snapshot");
pub const DISK_OK: Tr = Tr("디스크 정상", "disk ok");
pub const DISK_SLOW: Tr = Tr("느린 디스크", "slow disk");
pub const DISK_WRITING: Tr = Tr("디스크에 쓰는 중", "writing to disk");
pub const UNSYNCED: Tr = Tr("미저장", "unsynced");
pub const SYNCED_TO: Tr = Tr("저장됨", "synced");
pub const HANDING_OVER: Tr = Tr("리더십 넘기는 중 →", "handing over →");

// ---- member controls ---------------------------------------------------------------------
pub const ACTIONS: Tr = Tr("멤버 조작 — 클릭도 명령이 됩니다", "Member controls — every click is a command");
pub const ACTIONS_MEMBER: Tr = Tr("대상 멤버", "Member");
pub const ACT_CRASH: Tr = Tr("강제 중지 (crash)", "Crash");
pub const ACT_RESTART: Tr = Tr("재시작", "Restart");
pub const ACT_STOP: Tr = Tr("정상 종료 (리더십 넘기기)", "Stop (hand over leadership)");
pub const ACT_DISK_SLOW: Tr = Tr("디스크 느리게 (fsync 500ms)", "Slow disk (fsync 500 ms)");
pub const ACT_DISK_NORMAL: Tr = Tr("디스크 정상으로", "Disk back to normal");
pub const ACT_ADD_LEARNER: Tr = Tr("학습자 추가 (member add --learner)", "Add a learner (member add --learner)");
pub const ACT_PROMOTE: Tr = Tr("학습자 승격 (member promote)", "Promote the learner (member promote)");
pub const ACT_REMOVE: Tr = Tr("클러스터에서 제거 (member remove)", "Remove from the cluster (member remove)");
pub const ACT_MOVE_LEADER: Tr = Tr("리더십을 이 멤버로 (move-leader)", "Move leadership here (move-leader)");
pub const ACT_SNAPSHOT_COUNT: Tr = Tr("스냅샷 주기 (엔트리)", "Snapshot every (entries)");
pub const KV_KEY: Tr = Tr("키", "Key");
pub const KV_VALUE: Tr = Tr("값", "Value");
pub const ACT_PUT: Tr = Tr("쓰기 (put)", "Write (put)");
pub const ACT_READ_S: Tr = Tr("직렬화 읽기 (이 멤버의 금고에서)", "Serializable read (this member's own vault)");
pub const ACT_READ_L: Tr = Tr("선형 읽기 (리더에게 확인)", "Linearizable read (checked with the leader)");
pub const KV_HINT: Tr = Tr(
    "키와 값: 영문, 숫자, / _ . : - 만 (64바이트까지). 결과는 명령 기록에 나옵니다.",
    "Keys and values: letters, digits and / _ . : - (up to 64 bytes). Answers appear in the command log.",
);
pub const READS_NOTE: Tr = Tr(
    "직렬화 읽기(--consistency=s)는 그 멤버가 가진 값을 바로 답합니다 (소수 쪽이면 옛 값). 선형 읽기(기본)는 리더에게 ReadIndex를 물어 과반수를 확인하므로, 소수 쪽에서는 시간 초과가 됩니다.",
    "A serializable read (--consistency=s) answers from the member's own store at once (in a minority: a stale value). A linearizable read (the default) asks the leader (ReadIndex, confirmed by a quorum), so in a minority it times out.",
);

// ---- watch streams -------------------------------------------------------------------------
pub const WATCHES: Tr = Tr("watch 스트림", "Watch streams");
pub const WATCHES_NOTE: Tr = Tr(
    "한 번의 쓰기가 커밋되면, 모든 지점(멤버)의 watch가 같은 리비전으로 한꺼번에 알림을 받습니다.",
    "Once a write commits, every branch's watch (one per member) is notified of the same revision at once.",
);
pub const WATCHES_EMPTY: Tr = Tr("실행 중인 watch가 없습니다.", "No watch is running.");
pub const ACT_WATCH: Tr = Tr("대상 멤버에서 파드 watch 시작", "Start a pod watch on the member");
pub const ACT_WATCH_STOP: Tr = Tr("^C 가장 최근 watch 멈추기", "^C stop the newest watch");
pub const ACT_PUT_POD: Tr = Tr("파드 키 쓰기", "Write a pod key");
pub const WATCH_NEXT_REV: Tr = Tr("다음 리비전", "next rev");
pub const WATCH_EVENTS: Tr = Tr("받은 이벤트", "events");
pub const WATCH_NONE_YET: Tr = Tr("아직 이벤트 없음", "no event yet");
pub const WATCH_MEMBER_DOWN: Tr = Tr("멤버 중지됨 — 기다리는 중", "member down — waiting");

// ---- legend and simplifications ------------------------------------------------------------
pub const LEGEND: Tr = Tr("범례", "Legend");
pub const LEGEND_VOTE: Tr =
    Tr("RequestVote: 투표 요청 (후보 → 모두)", "RequestVote: asks for a vote (candidate → all)");
pub const LEGEND_PREVOTE: Tr = Tr(
    "PreVote: 텀을 올리기 전에 \"투표해 줄래?\" 묻기 (예비 후보 → 모두, 텀 변화 없음)",
    "PreVote: \"would you vote for me?\" before raising the term (pre-candidate → all; no term change)",
);
pub const LEGEND_APPEND: Tr =
    Tr("AppendEntries: 로그 복제 (리더 → 보조 금고)", "AppendEntries: replicates the log (leader → followers)");
pub const LEGEND_HEARTBEAT: Tr = Tr("Heartbeat: 리더가 살아 있다는 신호", "Heartbeat: the leader is alive");
pub const LEGEND_READ: Tr = Tr(
    "ReadIndex: 선형 읽기 전에 리더에게 커밋 인덱스를 묻기 (리더는 하트비트로 과반수를 확인)",
    "ReadIndex: a linearizable read asks the leader for its commit index (confirmed by a heartbeat round)",
);
pub const LEGEND_SNAPSHOT: Tr = Tr(
    "InstallSnapshot: 압축된 로그 대신 금고 전체(스냅샷)를 뒤처진 보조 금고에 보내기",
    "InstallSnapshot: the whole vault (a snapshot) for a follower behind the compacted log",
);
pub const LEGEND_CLIENT: Tr = Tr(
    "put / get / OK: 창구 ↔ 금고 (클라이언트 요청과 응답)",
    "put / get / OK: teller ↔ vault (a client request and its answer)",
);
pub const LEGEND_REPLY: Tr = Tr("속이 빈 모양: 응답", "hollow shape: a reply");
pub const LEGEND_DROP: Tr =
    Tr("✕ 표시: 분할/중지 때문에 도착하면 버려질 메시지", "✕ mark: will be dropped on arrival (partition or crash)");
pub const LEGEND_COMMITTED: Tr =
    Tr("꽉 찬 칸: 커밋된 로그 항목 (번호 = 인덱스)", "solid box: committed log entry (number = index)");
pub const LEGEND_UNCOMMITTED: Tr = Tr("점선 칸: 아직 커밋되지 않은 항목", "dashed box: not yet committed");
pub const LEGEND_UNSYNCED: Tr = Tr(
    "모서리가 잘린 칸: 아직 디스크에 저장(fsync)되지 않은 항목",
    "box with a cut corner: not yet on disk (fsync pending)",
);
pub const LEGEND_SNAPSHOT_MARK: Tr = Tr(
    "금고 안 상자: 스냅샷 — 그 인덱스까지의 로그는 압축되어 스냅샷에만 있습니다",
    "box inside a vault: a snapshot — the log up to its index is compacted into it",
);
pub const LEGEND_DISK: Tr = Tr(
    "원통: 디스크 — 모래시계가 붙으면 느린 디스크, 아래 화살표는 쓰는 중(fsync)",
    "cylinder: the disk — with an hourglass, a slow disk; an arrow into it, a write (fsync) in progress",
);
pub const QUORUM_TITLE: Tr =
    Tr("클러스터 크기와 장애 허용 (etcd FAQ)", "Cluster size and failure tolerance (etcd FAQ)");
pub const QUORUM_MEMBERS: Tr = Tr("멤버", "Members");
pub const QUORUM_MAJORITY: Tr = Tr("과반수", "Majority");
pub const QUORUM_TOLERANCE: Tr = Tr("허용 장애", "Failures tolerated");
pub const QUORUM_NOW: Tr = Tr("← 지금", "← now");
pub const QUORUM_UP: Tr = Tr("실행 중", "Up now");
pub const QUORUM_HOLDS: Tr = Tr("과반수 유지 — 쓰기 가능", "quorum holds — writes can commit");
pub const QUORUM_LOST: Tr = Tr("과반수 없음 — 쓰기 불가", "no quorum — writes cannot commit");
pub const NOTES: Tr = Tr("이 랩의 단순화", "What this lab simplifies");
pub const NOTE_LATENCY: Tr = Tr(
    "메시지가 보이도록 네트워크 지연을 10–20ms로 늘렸습니다 (kind의 루프백에서는 1ms 미만).",
    "Network latency is slowed to 10–20 ms so messages can be seen (on kind's loopback it is under 1 ms).",
);
pub const NOTE_PREVOTE: Tr = Tr(
    "PreVote와 CheckQuorum은 etcd 3.5처럼 켜져 있습니다. 명령 입력창(또는 헤드리스 CLI `lab shell`)에서 `lab set prevote off` / `lab set checkquorum off`로 끄면 무엇을 막아 주는지 볼 수 있습니다 (다시 합류한 멤버가 리더를 흔듦, 소수 쪽 옛 리더가 계속 리더라고 믿음).",
    "PreVote and CheckQuorum are on, as in etcd 3.5. In the command line (or the headless CLI, `lab shell`), `lab set prevote off` / `lab set checkquorum off` show what they prevent: a rejoining member disrupting the leader; an old leader in a minority still believing it leads.",
);
pub const NOTE_TIMINGS: Tr = Tr(
    "etcd 기본값: 하트비트 100ms, 선거 타임아웃 1000ms (매번 [1000, 2000)ms에서 무작위).",
    "etcd defaults: heartbeat 100 ms, election timeout 1000 ms (randomized in [1000, 2000) ms each time).",
);

// ---- event log ----------------------------------------------------------------------------
pub const EVENT_LOG: Tr = Tr("명령 기록", "Command log");
pub const EVENT_LOG_EMPTY: Tr = Tr(
    "아직 명령이 없습니다. 금고나 창구를 누르거나 명령을 입력해 보세요.",
    "No commands yet. Press a vault or a teller, or type a command.",
);
pub const STATUS_RUNNING: Tr = Tr("진행 중", "running");
pub const STATUS_OK: Tr = Tr("완료", "done");
pub const STATUS_FAILED: Tr = Tr("실패", "failed");

/// The notice after opening a share link: "replayed to 12.345s — press play".
pub fn replayed_notice(lang: Lang, time: &str) -> String {
    match lang {
        Lang::Ko => format!("공유된 시나리오를 {time}까지 재생했습니다 — ▶ 재생을 누르세요"),
        Lang::En => format!("Replayed to {time} — press play"),
    }
}

/// Role label a vault shows (shape and words, never colour alone).
pub fn role_label(lang: Lang, m: &lab_core::view::MemberView) -> &'static str {
    use lab_core::etcd::raft::Role;
    if m.removed {
        return ROLE_REMOVED.get(lang);
    }
    if !m.up {
        return ROLE_DOWN.get(lang);
    }
    if m.learner {
        return ROLE_LEARNER.get(lang);
    }
    match m.role {
        Role::Leader => ROLE_LEADER.get(lang),
        Role::Follower => ROLE_FOLLOWER.get(lang),
        Role::PreCandidate => ROLE_PRE_CANDIDATE.get(lang),
        Role::Candidate => ROLE_CANDIDATE.get(lang),
    }
}

/// What pressing a vault does, for its accessible name.
pub fn vault_action(lang: Lang, up: bool, partition_mode: bool) -> &'static str {
    match (partition_mode, up) {
        (true, _) => lang.pick("누르면 분할선 건너편으로 옮깁니다", "press to move it across the partition line"),
        (false, true) => lang.pick("누르면 중지합니다 (crash)", "press to crash it"),
        (false, false) => lang.pick("누르면 다시 시작합니다 (restart)", "press to restart it"),
    }
}

// ---- the command line ------------------------------------------------------------------------
pub const COMMAND_LINE: Tr = Tr("명령 입력", "Command line");
pub const COMMAND_LABEL: Tr =
    Tr("명령 (kubectl, etcdctl, lab, sleep, help)", "Command (kubectl, etcdctl, lab, sleep, help)");
pub const COMMAND_RUN: Tr = Tr("실행", "Run");
pub const COMMAND_HINT: Tr = Tr(
    "Enter로 실행, ↑/↓로 이전 명령. 결과는 아래 명령 기록에 나옵니다. 예: kubectl get pods -n kube-system",
    "Enter runs it, ↑/↓ recall earlier commands. The output appears in the command log below. Try: kubectl get pods -n kube-system",
);
pub const COMMAND_PLACEHOLDER: Tr = Tr("kubectl get pods -A", "kubectl get pods -A");

/// The command line refuses a line longer than the shell takes.
pub fn command_too_long(lang: Lang, bytes: usize, max: usize) -> String {
    match lang {
        Lang::Ko => format!("명령이 너무 깁니다: {bytes}바이트 (최대 {max}바이트). 줄여야 실행할 수 있습니다."),
        Lang::En => format!("The command is too long: {bytes} bytes (at most {max}). Shorten it to run it."),
    }
}

/// The event log shows a long output in part.
pub fn output_clipped(lang: Lang, lines: usize) -> String {
    match lang {
        Lang::Ko => format!("… 출력이 길어 {lines}줄을 생략했습니다 (lab shell에서는 전체가 나옵니다)"),
        Lang::En => format!("… {lines} more lines not shown (the headless `lab shell` prints them all)"),
    }
}

// ---- the office (API servers) -------------------------------------------------------------------
pub const OFFICE: Tr =
    Tr("정부 청사 — API 서버 (kube-apiserver)", "The government office — API servers (kube-apiserver)");
pub const OFFICE_INTRO: Tr = Tr(
    "kubectl 요청은 로드밸런서를 거쳐 창구(API 서버) 하나로 갑니다. 1층에서 신분 확인(인증), 권한 확인(인가), 서류 검토(어드미션: 변경 → 검증 → 확인)를 받고, 2층에서 처리되어, 지하의 etcd에 기록됩니다. 선택한 요청이 거친 책상이 순서대로 밝아집니다.",
    "A kubectl request goes through the load balancer to one teller (API server). Floor 1 checks who it is (authentication), what it may do (authorization) and its papers (admission: mutating → validation → validating); floor 2 handles it; the basement, etcd, records it. The desks the selected request visited light up in order.",
);
pub const OFFICE_DIAGRAM: Tr = Tr(
    "정부 청사 그림: 창구, 1층 검사 책상, 2층 처리, 지하 etcd와 선택한 요청의 경로",
    "The office: tellers, floor 1 check desks, floor 2 handling, etcd in the basement, and the selected request's path",
);
pub const OFFICE_TELLERS: Tr =
    Tr("창구 = API 서버 (컨트롤 플레인 노드마다 하나)", "Tellers = API servers (one per control-plane node)");
pub const OFFICE_LB: Tr = Tr("로드밸런서", "load balancer");
pub const OFFICE_LB_NOTE: Tr = Tr("kind의 haproxy: 차례로", "kind's haproxy: in turn");
pub const FLOOR1: Tr = Tr("1층 · 접수와 보안 검사", "Floor 1 · reception and security checks");
pub const FLOOR2: Tr = Tr("2층 · 업무 처리", "Floor 2 · handling");
pub const BASEMENT: Tr = Tr("지하 · 기록 보관소 (etcd)", "Basement · the records (etcd)");
pub const FLOOR1_SHORT: Tr = Tr("1층", "floor 1");
pub const FLOOR2_SHORT: Tr = Tr("2층", "floor 2");
pub const BASEMENT_SHORT: Tr = Tr("지하", "basement");
pub const ADMISSION_MUTATING: Tr = Tr("어드미션 ① 변경 (mutating)", "Admission ① mutating");
pub const ADMISSION_VALIDATING: Tr = Tr("어드미션 ② 확인 (validating)", "Admission ② validating");
pub const DESK_AUTHN: Tr = Tr("신분 확인", "Who are you?");
pub const DESK_IMPERSONATION: Tr = Tr("대리 (--as 일 때만)", "Acting as (--as only)");
pub const DESK_AUTHZ: Tr = Tr("권한 확인 (RBAC)", "May you? (RBAC)");
pub const DESK_VALIDATION: Tr = Tr("서류 검증", "Papers valid?");
pub const DESK_HANDLER: Tr = Tr("민원 처리 (REST handler)", "Handling (REST handler)");
pub const DESK_WATCH_CACHE: Tr = Tr("watch 캐시 (창구의 기억)", "Watch cache (the teller's memory)");
pub const DESK_ETCD: Tr = Tr("etcd에 기록·조회", "etcd: write or read");
pub const STEP_PASSED: Tr = Tr("통과", "passed");
pub const STEP_MUTATED: Tr = Tr("변경", "mutated");
pub const STEP_REJECTED: Tr = Tr("거절", "rejected");
pub const STEP_WAITING: Tr = Tr("기다리는 중", "waiting");
pub const STEP_NOTED: Tr = Tr("메모", "noted");
pub const STEP_NOT_REACHED: Tr = Tr("가지 않음", "not reached");
pub const TELLER_UP: Tr = Tr("정상", "up");
pub const TELLER_DOWN: Tr = Tr("중지됨", "down");
pub const TELLER_SLOW: Tr = Tr("느림", "slow");
pub const TELLER_NO_CACHE: Tr = Tr("캐시 없음 (중지됨)", "no cache (down)");
pub const TELLER_CACHE: Tr = Tr("캐시", "cache");
pub const TELLER_FRESH: Tr = Tr("캐시가 etcd와 같음", "cache up to date");
pub const TELLER_IN_FLIGHT: Tr = Tr("처리 중", "in flight");
pub const TELLER_HANDLED: Tr = Tr("누적", "handled");
pub const THIS_REQUEST: Tr = Tr("이 요청", "this request");
pub const NO_REQUEST: Tr = Tr(
    "아직 API 요청이 없습니다. 명령 입력창에 kubectl 명령을 입력해 보세요 (예: kubectl run web --image=nginx).",
    "No API request yet. Type a kubectl command in the command line (e.g. kubectl run web --image=nginx).",
);
pub const VERDICT_RUNNING: Tr = Tr("진행 중", "in progress");
pub const VERDICT_LOST: Tr = Tr(
    "연결 끊김 — 창구가 응답 없이 사라졌습니다 (EOF)",
    "connection lost — the teller went away without an answer (EOF)",
);
pub const WAITING_FOR_ETCD: Tr = Tr("etcd 응답 기다리는 중", "waiting for etcd");
pub const ETCD_TIMEOUT_NOTE: Tr = Tr("7초면 시간 초과", "times out at 7 s");
pub const CLUSTER_REVISION: Tr = Tr("클러스터 최신 리비전", "newest revision");
pub const LOCAL_MEMBER: Tr = Tr("이 창구의 etcd", "this teller's etcd");
pub const SIDE: Tr = Tr("분할 쪽", "side");
pub const OFFICE_LEGEND: Tr = Tr(
    "✓ 통과 · ✎ 객체를 바꿈 · ℹ 메모(누가, 어떤 권한으로) · ⊘ 거절(여기서 멈춤) · ◔ 기다리는 중 · 번호 = 거친 순서 · M 변경 단계, V 확인 단계, M+V 두 단계 모두 · 굵은 책상 = 이 요청에 무언가 한 곳",
    "✓ passed · ✎ changed the object · ℹ a note (who, which permission) · ⊘ rejected (stops here) · ◔ waiting · number = order visited · M mutating phase, V validating phase, M+V both · bold desk = did something to this request",
);
pub const OFFICE_NOTE: Tr = Tr(
    "이 랩의 단순화: kubectl get은 etcd에서 읽습니다 (v1.27처럼 일관된 읽기). `?resourceVersion=0`을 붙이면 그 창구의 watch 캐시에서 읽습니다 (오래된 값일 수 있음). 1층과 2층의 검사는 한 순간에 끝나고, 시간이 걸리는 것은 네트워크, etcd 합의, 느린 창구(`lab apiserver slow`)뿐입니다. 웹훅(`lab webhook add`)은 랩 안에서 실행됩니다. 각 API 서버는 kubeadm처럼 자기 노드의 etcd 멤버에만 연결합니다. 수업 자료의 PodSecurityPolicy는 v1.25에서 제거되었습니다. v1.27에서는 PodSecurity가 네임스페이스 라벨(pod-security.kubernetes.io/enforce)로 그 일을 합니다.",
    "What the lab simplifies: kubectl get reads etcd (a consistent read, as in v1.27); with `?resourceVersion=0` it reads the teller's watch cache (possibly stale). Floor 1 and floor 2 take no time; only the network, etcd's consensus and a slow teller (`lab apiserver slow`) do. Webhooks (`lab webhook add`) run inside the lab. Each API server talks only to its own node's etcd member, as kubeadm sets it up. The PodSecurityPolicy the class material lists was removed in v1.25; in v1.27 PodSecurity does its job through namespace labels (pod-security.kubernetes.io/enforce).",
);

// ---- teller controls and contexts --------------------------------------------------------------
pub const TELLER_CONTROLS: Tr =
    Tr("창구(API 서버) 조작 — 클릭도 명령이 됩니다", "Teller (API server) controls — every click is a command");
pub const TELLER_CRASH: Tr = Tr("중지 (crash)", "Crash");
pub const TELLER_RESTART: Tr = Tr("다시 시작", "Restart");
pub const TELLER_MAKE_SLOW: Tr = Tr("느리게 (+2초)", "Slow down (+2 s)");
pub const TELLER_MAKE_NORMAL: Tr = Tr("정상 속도로", "Back to normal speed");
pub const CONTEXT: Tr = Tr("kubectl 컨텍스트 (누구로 요청하나)", "kubectl context (who asks)");

// ---- the request inspector -----------------------------------------------------------------------
pub const INSPECTOR: Tr = Tr("요청 살펴보기", "Request inspector");
pub const INSPECTOR_LIST: Tr = Tr("최근 API 요청 (최신이 위)", "Recent API requests (newest first)");
pub const INSPECTOR_HINT: Tr = Tr(
    "요청을 고르면 청사 그림이 그 요청의 경로를 그립니다. ↑/↓로 옮겨 다닐 수 있습니다.",
    "Pick a request to draw its path in the office. ↑/↓ move between requests.",
);
pub const FOLLOW_NEWEST: Tr = Tr("최신 요청 따라가기", "Follow the newest request");
pub const REQ_COMMAND: Tr = Tr("명령", "Command");
pub const REQ_USER: Tr = Tr("사용자", "User");
pub const REQ_GROUPS: Tr = Tr("그룹", "Groups");
pub const REQ_VERB: Tr = Tr("동작 (verb)", "Verb");
pub const REQ_RESOURCE: Tr = Tr("리소스", "Resource");
pub const REQ_NAMESPACE: Tr = Tr("네임스페이스", "Namespace");
pub const REQ_PATH: Tr = Tr("경로", "Path");
pub const REQ_TELLER: Tr = Tr("창구", "Teller");
pub const REQ_RESULT: Tr = Tr("결과", "Result");
pub const REQ_TIMES: Tr = Tr("보낸 시각 → 응답 시각", "Sent → answered");
pub const REQ_STEPS: Tr = Tr("거친 책상", "Desks visited");
pub const REQ_DESK: Tr = Tr("책상", "Desk");
pub const REQ_FLOOR: Tr = Tr("층", "Floor");
pub const REQ_OUTCOME: Tr = Tr("결과", "Outcome");
pub const REQ_SAID: Tr = Tr("한 말", "What it said");
pub const REQ_BEFORE: Tr = Tr("보낸 객체 (어드미션 전)", "The object as sent (before admission)");
pub const REQ_AFTER: Tr = Tr("저장할 객체 (변경 후)", "The object as stored (after mutation)");
pub const REQ_NONE: Tr = Tr("(없음)", "(none)");
pub const REQ_CLUSTER_SCOPED: Tr = Tr("(클러스터 범위 또는 전체)", "(cluster-scoped or all)");

// ---- the robot factory (controller-manager, scheduler, kubelets) ----------------------------------
pub const FACTORY: Tr = Tr(
    "자동화 로봇 공장 — kube-controller-manager · 스케줄러 · 노드",
    "The robot factory — kube-controller-manager, scheduler, nodes",
);
pub const FACTORY_INTRO: Tr = Tr(
    "감시실(informer)이 API 서버의 watch로 변화를 받으면, 각 로봇의 작업 큐에 키가 들어갑니다. 로봇(컨트롤러)은 키를 꺼내 원하는 상태와 현재 상태를 비교하고, 차이를 없애는 쓰기를 API 서버에 보냅니다. 스케줄러가 파드를 노드에 배정하면 그 노드의 kubelet이 컨테이너를 시작합니다.",
    "When the watch room (the informer) gets a change through the API server's watch, a key goes into each robot's work queue. A robot (a controller) takes the key, compares the desired state with the current one, and sends the API server the writes that close the gap. Once the scheduler assigns a pod to a node, that node's kubelet starts its containers.",
);
pub const FACTORY_NONE: Tr =
    Tr("이 시나리오에는 Kubernetes 노드가 없습니다.", "This scenario has no Kubernetes nodes.");
pub const LEASE_TITLE: Tr = Tr("리더 임대 (Lease)", "Leader Lease");
pub const LEASE_HOLDER: Tr = Tr("보유자", "Holder");
pub const LEASE_NOBODY: Tr = Tr("없음", "nobody");
pub const LEASE_EXPIRED: Tr =
    Tr("만료 — 대기 중인 인스턴스가 가져갈 수 있습니다", "expired — a standby instance may take it");
pub const LEASE_SINCE_RENEW: Tr = Tr("마지막 갱신 후", "since the last renewal");
pub const LEASE_NOTE: Tr = Tr(
    "리더는 2초마다 갱신하고, 10초 동안 못 하면 물러납니다. 다른 인스턴스는 15초 동안 변화가 없으면 가져갑니다.",
    "The leader renews every 2 s and steps down if it cannot for 10 s; another instance takes the Lease once it has not changed for 15 s.",
);
pub const INSTANCE_LEADER: Tr = Tr("리더", "leader");
pub const INSTANCE_STANDBY: Tr = Tr("대기", "standby");
pub const INSTANCE_DOWN: Tr = Tr("중지됨", "down");
pub const INSTANCE_CRASH: Tr = Tr("멈추기 (crash)", "Crash");
pub const INSTANCE_RESTART: Tr = Tr("다시 시작", "Restart");
pub const CRASH_LEADER: Tr = Tr("리더 컨트롤러 매니저 멈추기", "Crash the leading controller-manager");
pub const FEED_TITLE: Tr =
    Tr("감시실 — watch로 들어온 변화 (최신이 위)", "Watch room — changes arriving by watch (newest first)");
pub const FEED_EMPTY: Tr =
    Tr("아직 없음 (리더가 없으면 아무도 지켜보지 않습니다)", "Nothing yet (with no leader, nobody watches)");
pub const FEED_LIST: Tr = Tr("목록(LIST)", "LIST");
pub const FEED_TOTAL: Tr = Tr("받은 변화", "changes received");
pub const FEED_HEARTBEATS: Tr =
    Tr("그중 Lease 갱신(하트비트)은 목록에서 뺌", "Lease renewals (heartbeats) among them, not listed");
pub const ROBOTS_TITLE: Tr = Tr("로봇 작업장 — 컨트롤러", "Robot floor — controllers");
pub const ROBOT_DEPLOYMENT: Tr = Tr("배포 로봇", "Deployment robot");
pub const ROBOT_REPLICASET: Tr = Tr("복제 로봇", "ReplicaSet robot");
pub const ROBOT_NODE: Tr = Tr("노드 로봇", "Node robot");
pub const ROBOT_GC: Tr = Tr("청소 로봇 (가비지 컬렉터)", "Garbage collector robot");
pub const ROBOT_ENDPOINTS: Tr = Tr("엔드포인트 로봇", "Endpoints robot");
pub const ROBOT_SCHEDULER: Tr = Tr("배정 로봇 (스케줄러)", "Scheduler robot");
pub const ROBOT_ROGUE: Tr = Tr("두 번째 작성자 (rogue 컨트롤러)", "Second writer (rogue controller)");
pub const ROBOT_OTHER: Tr = Tr("로봇", "robot");
pub const ROBOT_BUSY: Tr = Tr("일하는 중", "working");
pub const ROBOT_IDLE: Tr = Tr("쉬는 중", "idle");
pub const ROBOT_STOPPED: Tr = Tr("멈춤 — 리더 없음", "stopped — no leader");
pub const ROBOT_WORKERS: Tr = Tr("작업자", "Workers");
pub const ROBOT_WAITING_API: Tr = Tr("API 응답 대기", "awaiting the API");
pub const ROBOT_DIRTY: Tr =
    Tr("처리 중에 바뀜 → 합쳐서 한 번 더 처리", "changes meanwhile → one more sync for all of them");
pub const QUEUE_TITLE: Tr = Tr("작업 큐", "Work queue");
pub const QUEUE_EMPTY: Tr = Tr("비어 있음", "empty");
pub const QUEUE_MERGED: Tr = Tr("번 합침", "merged");
pub const QUEUE_RETRY_IN: Tr = Tr("후 재시도", "retry in");
pub const QUEUE_AGAIN_IN: Tr = Tr("후 다시", "again in");
pub const QUEUE_MORE: Tr = Tr("외", "more");
pub const ROBOT_SYNCS: Tr = Tr("처리", "syncs");
pub const ROBOT_DEDUPED: Tr = Tr("중복 합침", "deduplicated");
pub const ROBOT_CONFLICTS: Tr = Tr("충돌(409)", "conflicts (409)");
pub const RECONCILE_TITLE: Tr = Tr("마지막 조정", "Last reconcile");
pub const RECONCILE_NONE: Tr = Tr("아직 없음", "none yet");
pub const DESIRED: Tr = Tr("원하는", "desired");
pub const CURRENT: Tr = Tr("현재", "current");
pub const IN_SYNC: Tr = Tr("일치 — 할 일 없음", "in sync — nothing to do");
pub const RECONCILE_LATER: Tr = Tr("그 뒤", "since then");
pub const DEPLOYMENTS_TITLE: Tr =
    Tr("Deployment 조절 — 클릭도 명령이 됩니다", "Deployments — every click is a command");
pub const DEPLOYMENTS_EMPTY: Tr = Tr(
    "아직 없습니다. 명령 입력창에 kubectl create deployment nginx --image=nginx --replicas=3 을 입력해 보세요.",
    "None yet. Type kubectl create deployment nginx --image=nginx --replicas=3 in the command line.",
);
pub const REPLICAS_READY: Tr = Tr("준비됨", "ready");
pub const SCALE_DOWN: Tr = Tr("줄이기", "Scale down");
pub const SCALE_UP: Tr = Tr("늘리기", "Scale up");
pub const NODES_TITLE: Tr = Tr("노드와 파드", "Nodes and pods");
pub const NODE_CONTROL_PLANE: Tr = Tr("컨트롤 플레인", "control plane");
pub const NODE_WORKER: Tr = Tr("워커", "worker");
pub const NODE_NO_STATUS: Tr = Tr("상태 없음", "no status");
pub const NODE_UNKNOWN_NOTE: Tr = Tr("kubelet 보고 끊김", "kubelet stopped reporting");
pub const NODE_CORDONED: Tr = Tr("배정 금지 (cordon)", "cordoned");
pub const KUBELET_DOWN: Tr = Tr("kubelet 멈춤 (실제)", "kubelet down (really)");
pub const KUBELET_CUT: Tr = Tr("네트워크 분리됨 (실제)", "cut off (really)");
pub const KUBELET_API_LATE: Tr = Tr("API 서버는 40초 뒤에야 압니다", "the API server learns it 40 s later");
pub const NODE_SYSTEM_PODS: Tr = Tr("kube-system 파드", "kube-system pods");
pub const NODE_NO_PODS: Tr = Tr("파드 없음", "no pods");
pub const NODE_CRASH: Tr = Tr("노드 멈추기 (crash)", "Crash node");
pub const NODE_RESTART: Tr = Tr("노드 다시 시작", "Restart node");
pub const UNSCHEDULED: Tr = Tr("아직 노드 없음 (스케줄 대기)", "No node yet (waiting for the scheduler)");
pub const PODS_MORE: Tr = Tr("개 더", "more");
pub const FACTORY_LEGEND: Tr = Tr(
    "⚙ 일하는 중 · ☾ 쉬는 중 · ✕ 멈춤 · ×2 = 변화 두 번이 한 번의 처리로 합쳐짐 · ↻ 처리 중에 또 바뀐 키 (끝나면 한 번 더) · ⟳ 백오프 후 재시도 · ◷ 정해진 시각에 다시 · 파드: ◌ Pending, ◔ ContainerCreating, ● Running, ⊗ Terminating",
    "⚙ working · ☾ idle · ✕ stopped · ×2 = two changes merged into one sync · ↻ a key changed while being synced (synced once more after) · ⟳ retry after back-off · ◷ again at a set time · pods: ◌ Pending, ◔ ContainerCreating, ● Running, ⊗ Terminating",
);
pub const FACTORY_NOTE: Tr = Tr(
    "이 랩의 단순화: 로봇마다 작업자 수가 실제 기본값보다 적을 수 있고, 이미지 받기와 컨테이너 시작은 짧게 흉내 냅니다. 노드가 멈추면 40초 뒤 NotReady(Unknown)가 되고, 파드는 300초 톨러레이션이 끝난 뒤 다른 노드로 옮겨집니다. 속도를 올리면(10×, 50×) 몇 초 만에 볼 수 있습니다.",
    "What the lab simplifies: robots may have fewer workers than the real defaults, and pulling images and starting containers are short imitations. A crashed node turns NotReady (Unknown) after 40 s, and its pods move to another node once their 300 s toleration ends; raise the speed (10×, 50×) to see it in seconds.",
);
