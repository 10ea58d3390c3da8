// All shared components at once: import '/web/components/index.js'.
import './hub-button.js';
import './hub-card.js';
import './hub-timer.js';
import './hub-progress.js';
import './hub-bar-chart.js';
import './hub-scale-chart.js';
import './hub-word-cloud.js';
import './hub-status.js';
import './hub-banner.js';
import './hub-qr.js';
